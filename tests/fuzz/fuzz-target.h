/* What every fuzz target (tests/fuzz/fuzz-NAME.c) shares with the libFuzzer driver and with
 * replay.c: the entry point's prototype, and CHECK, which aborts (a finding for libFuzzer, a
 * failure for the replay test) when a property of the code under test does not hold. Not
 * g_assert: it stays active whatever the build defines (G_DISABLE_ASSERT), and keeps side effects.
 */
#ifndef HKSV_TESTS_FUZZ_TARGET_H
#define HKSV_TESTS_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define CHECK(cond) \
  do {              \
    if (!(cond))    \
      abort ();     \
  } while (0)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#endif
