/* dirent.h - opendir/readdir for the unit tests on a bare-metal board (tests/portable/m4/).

   Semihosting reads host files but cannot list a directory, and newlib has no <dirent.h> for
   bare metal. This header stands in for the POSIX one, for the one listing the tests need (the
   JSONTestSuite folder): opendir(dir) reads the manifest file named by the macro
   PORTABLE_DIRENT_MANIFEST (through semihosting). Its first line is the directory it lists, as
   the tests are given it; opendir() of any other directory fails with ENOENT. Each further line
   is the name of one entry, read back by readdir(). The check script writes the manifest with
   `ls` just before the run; the files themselves are then read through fopen() as usual. */
#ifndef PORTABLE_DIRENT_H
#define PORTABLE_DIRENT_H

struct dirent {
    char d_name[256];
};

typedef struct portable_dir DIR;

DIR *opendir(const char *name);
struct dirent *readdir(DIR *dir);
void rewinddir(DIR *dir);
int closedir(DIR *dir);

#endif
