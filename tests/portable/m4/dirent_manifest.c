/* dirent_manifest.c - the manifest-backed opendir/readdir of include/dirent.h. */
#include <dirent.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PORTABLE_DIRENT_MANIFEST
#error "define PORTABLE_DIRENT_MANIFEST as the path of the listing (see include/dirent.h)"
#endif

struct portable_dir {
    FILE *manifest;
    long first_entry;         /* file offset of the first name */
    struct dirent entry;
};

/* Reads one line without its newline into line[0..size); 0 at the end of the file or when the
   line does not fit. */
static int read_line(FILE *f, char *line, size_t size)
{
    size_t n;
    if (fgets(line, (int)size, f) == NULL) return 0;
    n = strlen(line);
    if (n == 0 || line[n - 1] != '\n') return 0;
    line[n - 1] = '\0';
    return 1;
}

DIR *opendir(const char *name)
{
    char listed[4096];
    DIR *dir = (DIR *)calloc(1, sizeof *dir);
    if (dir == NULL) { errno = ENOMEM; return NULL; }
    dir->manifest = fopen(PORTABLE_DIRENT_MANIFEST, "r");
    if (dir->manifest == NULL || !read_line(dir->manifest, listed, sizeof listed) ||
        strcmp(listed, name) != 0) {
        if (dir->manifest != NULL) fclose(dir->manifest);
        free(dir);
        errno = ENOENT;
        return NULL;
    }
    dir->first_entry = ftell(dir->manifest);
    return dir;
}

struct dirent *readdir(DIR *dir)
{
    if (!read_line(dir->manifest, dir->entry.d_name, sizeof dir->entry.d_name)) return NULL;
    return &dir->entry;
}

void rewinddir(DIR *dir)
{
    fseek(dir->manifest, dir->first_entry, SEEK_SET);
}

int closedir(DIR *dir)
{
    int r = fclose(dir->manifest);
    free(dir);
    return r;
}
