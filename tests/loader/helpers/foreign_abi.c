/*
 * foreign_abi.c - a 64-bit program that opens a file through another
 * system call ABI, the way a program could try to slip past a filter that
 * only knows x86-64 numbers.
 *
 *   foreign_abi i386 PATH   open (i386 number 5) through `int $0x80`
 *   foreign_abi x32 PATH    open (2 | __X32_SYSCALL_BIT) through `syscall`
 *
 * Prints "opened: " and the file's first line, or "error: ERRNO-NAME".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long
open_i386(const char *path)
{
	/* int $0x80 takes 32-bit pointers: the path goes below 2 GiB. */
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long ret;

	if (low == MAP_FAILED || strlen(path) >= 4096)
		return -ENOMEM;
	strcpy(low, path);
	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(5L), "b"((long)low), "c"(0L), "d"(0L)
	                 : "memory");
	return (int)ret; /* the result is in %eax */
}

static long
open_x32(const char *path)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(0x40000000L | 2), "D"(path), "S"(0L), "d"(0L)
	                 : "rcx", "r11", "memory");
	return ret;
}

int
main(int argc, char **argv)
{
	char line[256] = "";
	long fd;
	ssize_t n;

	if (argc != 3 || (strcmp(argv[1], "i386") && strcmp(argv[1], "x32"))) {
		fprintf(stderr, "usage: foreign_abi i386|x32 PATH\n");
		return 2;
	}
	fd = strcmp(argv[1], "i386") == 0 ? open_i386(argv[2]) : open_x32(argv[2]);
	if (fd < 0) {
		printf("error: %s\n", -fd == ENOSYS   ? "ENOSYS"
		                      : -fd == ENOENT ? "ENOENT"
		                                      : strerror((int)-fd));
		return 1;
	}
	n = read((int)fd, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	printf("opened: %s\n", line);
	return 0;
}
