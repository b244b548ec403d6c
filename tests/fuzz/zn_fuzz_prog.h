/* zn_fuzz_prog.h - forced in front of the program under fuzzing and of
 * libzn (not zn_err.c): their writable globals go to sections of their
 * own, which the driver restores to their first bytes before each run. */
#include "zn_fuzz.h"
#pragma clang section bss = "zn_fuzz_bss" data = "zn_fuzz_data"
