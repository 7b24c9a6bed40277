#pragma once
// Test hooks of ThreadPool (kept out of thread_pool.h, which most of the engine includes).
namespace tern {

// Pools constructed afterwards fail to create worker `index` (1-based: 1 is the first worker)
// as if the thread limit were reached; -1 turns it off.
void fail_thread_start_for_testing(int index);

}  // namespace tern
