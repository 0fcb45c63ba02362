/* replay.c - a plain main() for the harnesses in tests/fuzz/, so that their corpus runs in
   builds without libFuzzer (any C compiler; usually gcc -fsanitize=address,undefined).

       cc -Itests/fuzz ... tests/fuzz/fuzz_<target>.c tests/fuzz/replay.c -o replay_<target>
       replay_<target> DIR_OR_FILE...

   Runs LLVMFuzzerTestOneInput once for every regular file given and for every regular file
   in each folder given (not recursively; in name order, so runs are repeatable), each input
   in a heap block of exactly its size, as libFuzzer does. Before each input it prints its
   name on stderr, so a harness that aborts names the file that made it. At the end it prints
   "replayed N inputs" on stdout and exits 0; an empty or missing folder is an error (exit 2),
   so a corpus that went missing cannot pass as "nothing failed". */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_file(const char *path, unsigned long *count)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t size = 0, cap = 0, got;
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        exit(2);
    }
    for (;;) {
        if (size == cap) {
            unsigned char *grown;
            cap = cap == 0 ? 4096 : cap * 2;
            grown = (unsigned char *)realloc(data, cap);
            if (grown == NULL) { fprintf(stderr, "replay: out of memory\n"); exit(2); }
            data = grown;
        }
        got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    {
        /* Exactly size bytes, so a read past the end is an ASan report. */
        unsigned char *exact = (unsigned char *)malloc(size > 0 ? size : 1);
        if (exact == NULL) { fprintf(stderr, "replay: out of memory\n"); exit(2); }
        if (size > 0) memcpy(exact, data, size);
        free(data);
        fprintf(stderr, "replay: %s (%lu bytes)\n", path, (unsigned long)size);
        LLVMFuzzerTestOneInput(exact, size);
        free(exact);
    }
    (*count)++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void run_folder(const char *folder, unsigned long *count)
{
    DIR *d = opendir(folder);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    unsigned long before = *count;
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open folder %s: %s\n", folder, strerror(errno));
        exit(2);
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            names = (char **)realloc(names, cap * sizeof *names);
            if (names == NULL) { fprintf(stderr, "replay: out of memory\n"); exit(2); }
        }
        names[n] = (char *)malloc(strlen(folder) + strlen(e->d_name) + 2);
        if (names[n] == NULL) { fprintf(stderr, "replay: out of memory\n"); exit(2); }
        sprintf(names[n], "%s/%s", folder, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0) qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) run_file(names[i], count);
        free(names[i]);
    }
    free(names);
    if (*count == before) {
        fprintf(stderr, "replay: no input in %s\n", folder);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    unsigned long count = 0;
    int i;
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (S_ISDIR(st.st_mode)) run_folder(argv[i], &count);
        else run_file(argv[i], &count);
    }
    printf("replayed %lu inputs\n", count);
    return 0;
}
