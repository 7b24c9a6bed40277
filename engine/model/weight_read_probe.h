#pragma once
// The read roof of decode, taken on the weights themselves: every weight matrix a decode step
// reads (the ternary matrices and the output head), streamed by engine/bench's read pass with
// no arithmetic and no thread meeting between matrices; each thread reads its share of every
// matrix, like the decode GEMV's row split. Same bytes, same pages,
// same placement as decode: decode's weight GB/s over this figure is how much of the memory
// roof decode reaches.
#include <cstdint>

namespace tern {

class Model;
class ThreadPool;

// Bytes one pass reads (the matrices' codes / values; scales and norm vectors are left out).
uint64_t weight_read_bytes(const Model& model);

// GB/s of the fastest of `passes` timed passes, after one untimed pass. Throws tern::Error when
// passes < 1 or the model has no weight matrix.
double measure_weight_read_gbs(const Model& model, ThreadPool& pool, int passes = 3);

}  // namespace tern
