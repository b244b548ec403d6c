/* zn_fuzz.h - forced in front of every file of the fuzzing build
 * (-include, with -DZN_FUZZ): exit, wherever a program or libzn calls it,
 * becomes zn_fuzz_exit (lib/zn_err.c), which returns to the harness when
 * one is waiting.  No system header here: a file's own feature macros
 * (_GNU_SOURCE) must come before the first one. */
#ifndef ZN_FUZZ_H
#define ZN_FUZZ_H
extern int zn_fuzz_status; /* the status the run exited with */
_Noreturn void zn_fuzz_exit(int code);
#define exit(code) zn_fuzz_exit(code)
#endif
