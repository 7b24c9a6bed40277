#pragma once
// The greedy pair-merging loop both BPE tokenizers share (GPT-2 merges by rank, SentencePiece
// by score): a word starts as a linked list of symbols (contiguous ranges of its text); the
// best adjacent pair is merged until none is mergeable. Stale queue entries (a side merged
// since the pair was queued) are skipped rather than removed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace tern::merge {

struct Symbol {
    int32_t prev, next;  // neighbours, -1 at the ends
    size_t start, len;   // range in the word's text; len 0 once merged into its left neighbour
};

// One symbol per unit of `text`, unit lengths from `unit_length(text, pos)` (>= 1).
template <class Text, class UnitLength>
std::vector<Symbol> split_units(const Text& text, UnitLength unit_length) {
    std::vector<Symbol> syms;
    syms.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        const size_t len = unit_length(text, pos);
        const auto i = static_cast<int32_t>(syms.size());
        syms.push_back({i - 1, -1, pos, len});
        if (i > 0) syms[static_cast<size_t>(i - 1)].next = i;
        pos += len;
    }
    return syms;
}

// Merges while some adjacent pair has a priority: `priority(left, right)` returns
// std::optional<P> for two symbols, and `first(a, b)` says priority a goes before b. Equal
// priorities merge leftmost first.
template <class P, class Priority, class First>
void merge_pairs(std::vector<Symbol>& syms, Priority priority, First first) {
    struct Candidate {
        P priority;
        int32_t left, right;
        size_t len;  // combined length when queued: detects stale pairs
    };
    const auto later = [&](const Candidate& a, const Candidate& b) {
        if (first(b.priority, a.priority)) return true;
        if (first(a.priority, b.priority)) return false;
        return a.left > b.left;
    };
    std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
    const auto consider = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = syms[static_cast<size_t>(left)];
        const Symbol& r = syms[static_cast<size_t>(right)];
        if (std::optional<P> p = priority(l, r)) queue.push({*p, left, right, l.len + r.len});
    };
    for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) consider(i, i + 1);

    while (!queue.empty()) {
        const Candidate c = queue.top();
        queue.pop();
        Symbol& l = syms[static_cast<size_t>(c.left)];
        Symbol& r = syms[static_cast<size_t>(c.right)];
        if (l.len == 0 || r.len == 0 || l.next != c.right || l.len + r.len != c.len) continue;
        l.len += r.len;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0) syms[static_cast<size_t>(r.next)].prev = c.left;
        consider(l.prev, c.left);
        consider(c.left, l.next);
    }
}

}  // namespace tern::merge
