#pragma once
// Token pieces can end inside a UTF-8 character (byte tokens); streamed events carry only
// whole characters, so an incomplete tail waits for the next piece.
#include <string>

namespace bench::server {

class Utf8Chunker {
public:
    // Appends `piece`; returns what can be sent now (all but an incomplete trailing character).
    std::string push(const std::string& piece);
    // Whatever is left (an incomplete character is sent as is; the JSON writer replaces it).
    std::string flush();

private:
    std::string pending_;
};

}  // namespace bench::server
