/* exit_probe.c - shows that the Cortex-M4 harness carries an outcome out of qemu: built with the
   same start-up code, linker script and flags as the unit tests, it runs one case through the
   unit tests' harness.
     exit_probe pass    a passing check:  "unit: 1 passed, 0 failed", exit status 0
     exit_probe fail    a failing check:  "unit: 0 passed, 1 failed", exit status 1
     exit_probe fault   an undefined instruction: the fault report, exit status 125 */
#include "../../unit/test.h"

#include <string.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "fault") == 0) __asm__ volatile("udf #0");
    test_begin("planted check");
    CHECK(strcmp(mode, "pass") == 0);
    test_end();
    return test_summary("unit");
}
