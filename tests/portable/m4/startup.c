/* startup.c - what the unit tests need to run on qemu's mps2-an386 board (Cortex-M4F), on top of
   newlib and its rdimon semihosting library (--specs=rdimon.specs).

   - The vector table: the initial SP and the reset handler, and a handler for every fault, so a
     crash ends the run with a report and a non-zero exit status instead of a locked-up core that
     only the timeout would end.
   - The reset handler turns the FPU on (the build is hard-float; CPACR is 0 after reset), paints
     the stack, then jumps to rdimon-crt0's _start: it asks the host for the command line (argv),
     zeroes .bss, runs main and hands main's result to exit(), whose semihosting SYS_EXIT
     (extended, semihosting v2) becomes qemu's exit status.
   - main is wrapped (-Wl,--wrap=main): after the tests, the peak stack use is printed.
   - _sbrk (replacing newlib's weak one, which lets the heap grow up to SP) keeps the heap below
     the stack's reserve.

   Files are read through semihosting (newlib's fopen -> SYS_OPEN on the host, relative to qemu's
   working directory). Directories are not part of semihosting: include/dirent.h and
   dirent_manifest.c serve the one listing the tests need from a manifest file. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The stack, __stack_limit..__stack_top (mps2_an386.ld), is painted at reset; the lowest word
   that lost its paint is the peak. A peak that reaches the limit fails the run. */
#define STACK_PAINT 0xC5C5C5C5u

extern char __stack_top[], __stack_limit[], end[];
extern void _start(void);
extern int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);
void portable_reset(void);
void portable_fault(void);
void portable_fault_report(const unsigned long *frame, unsigned long exc_return);

#define SCB_CPACR (*(volatile unsigned long *)0xE000ED88u)
#define SCB_CFSR  (*(volatile unsigned long *)0xE000ED28u)
#define SCB_HFSR  (*(volatile unsigned long *)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile unsigned long *)0xE000ED34u)
#define SCB_BFAR  (*(volatile unsigned long *)0xE000ED38u)

typedef void (*vector)(void);

/* 16 system exceptions; the board's interrupts stay disabled, so none of theirs are needed. */
__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
    (vector)(void *)__stack_top, portable_reset,
    portable_fault, portable_fault, portable_fault, portable_fault, portable_fault, /* NMI..UsageFault */
    0, 0, 0, 0,
    portable_fault, portable_fault, 0, portable_fault, portable_fault              /* SVC, DebugMon, PendSV, SysTick */
};

void portable_reset(void)
{
    uintptr_t sp, p = (uintptr_t)__stack_limit;

    SCB_CPACR |= 0xFul << 20;   /* CP10 and CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (; p < sp - 64; p += sizeof(unsigned long)) *(volatile unsigned long *)p = STACK_PAINT;  /* 64: below this frame */
    _start();
    for (;;) {}
}

static unsigned long stack_peak(void)
{
    uintptr_t top = (uintptr_t)__stack_top, p = (uintptr_t)__stack_limit;
    while (p < top && *(const volatile unsigned long *)p == STACK_PAINT) p += sizeof(unsigned long);
    return (unsigned long)(top - p);
}

int __wrap_main(int argc, char **argv)
{
    int result = __real_main(argc, argv);
    unsigned long peak = stack_peak();
    if (peak >= (unsigned long)(__stack_top - __stack_limit)) {
        printf("m4: the stack reached its limit, %lu bytes\n", (unsigned long)(__stack_top - __stack_limit));
        return result != 0 ? result : 1;
    }
    printf("m4: stack peak %lu bytes\n", peak);
    return result;
}

void *_sbrk(ptrdiff_t increment);
void *_sbrk(ptrdiff_t increment)
{
    static char *heap_end;
    char *previous;
    if (heap_end == NULL) heap_end = end;
    if (increment > __stack_limit - heap_end || increment < end - heap_end) {
        errno = ENOMEM;
        return (void *)-1;
    }
    previous = heap_end;
    heap_end += increment;
    return previous;
}

/* ---- Faults: a report on the host's stderr, then exit status 125 ---------------------------- */

static long semihost(long operation, const void *argument)
{
    register long r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void write_text(const char *text) { semihost(0x04, text); }   /* SYS_WRITE0 */

static void write_hex(const char *label, unsigned long value)
{
    char text[24];
    int i;
    write_text(label);
    text[0] = '0';
    text[1] = 'x';
    for (i = 0; i < 8; i++) text[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 0xFu];
    text[10] = '\0';
    write_text(text);
}

__attribute__((naked)) void portable_fault(void)
{
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mov r1, lr\n\t"
        "b portable_fault_report\n\t");
}

void portable_fault_report(const unsigned long *frame, unsigned long exc_return)
{
    unsigned long ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    write_hex("\nm4: FAULT exception ", ipsr & 0x1FFu);
    write_hex(" pc ", frame[6]);
    write_hex(" lr ", frame[5]);
    write_hex(" sp ", (unsigned long)frame);
    write_hex(" exc_return ", exc_return);
    write_hex("\nm4: CFSR ", SCB_CFSR);
    write_hex(" HFSR ", SCB_HFSR);
    write_hex(" MMFAR ", SCB_MMFAR);
    write_hex(" BFAR ", SCB_BFAR);
    write_text("\n");
    _Exit(125);
}
