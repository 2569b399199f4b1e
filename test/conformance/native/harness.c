/*
 * Runs the real pam_limits.so on fake configuration trees and prints what it asked for.
 *
 * Usage: harness <confdir>   (must run as root, with shim.so in LD_PRELOAD)
 *
 * <confdir> holds the PAM service file "limitsctl-conformance" (e.g. `session required
 * pam_limits.so`), read through pam_start_confdir() so /etc/pam.d is never involved.
 *
 * The job list comes on stdin, one word and hex-encoded arguments per line:
 *   tree                      start a tree
 *   bind <hex src> <hex dst>  bind-mount src over dst while the tree runs
 *   user <hex name>           open a session for this user
 *   end                       run the tree
 *
 * Each tree runs in a child that unshares its mount namespace, makes every mount private (so
 * nothing propagates back to the host), applies the tree's bind mounts — fake /etc/passwd,
 * /etc/group, /etc/security, /proc/1/limits, ... — and opens one session per user. The real
 * /etc is never touched, and the mounts vanish with the child.
 *
 * A bind mount can vanish under the child: when the host replaces /etc/passwd or /etc/group
 * (useradd and userdel rename a new file over it), the kernel detaches mounts on that dentry
 * in every other mount namespace too (Linux >= 3.18), and the module then reads the host's
 * accounts. So the child checks after its sessions that every mount point still shows the tree's
 * file (same device and inode), and the parent, which collects the child's output through a
 * pipe, runs the tree again (up to 5 times) instead of passing on results from a lost mount.
 *
 * Output on stdout, per tree:
 *   tree begin
 *   user <hex name>
 *   ...records from shim.c (call ..., log ...) and conv <style> <hex message>...
 *   result <pam return code>
 *   tree end <0 | error text>
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SERVICE "limitsctl-conformance"
#define MAX_BINDS 32
#define MAX_USERS 256
#define MAX_ATTEMPTS 5
/* the child's exit status when a bind mount was lost during the sessions */
#define EXIT_MOUNT_LOST 3

struct tree_job {
    int nbinds;
    char *bind_src[MAX_BINDS];
    char *bind_dst[MAX_BINDS];
    int nusers;
    char *users[MAX_USERS];
};

static const char *confdir;

static void put_hex(const char *s)
{
    if (*s == '\0')
        fputc('-', stdout);
    for (; *s != '\0'; s++)
        printf("%02x", (unsigned char)*s);
}

/* Decodes a hex argument ("-" is the empty string); NULL if it is not hex. */
static char *from_hex(const char *hex)
{
    size_t n = strlen(hex);
    char *out;

    if (strcmp(hex, "-") == 0)
        return strdup("");
    if (n % 2 != 0)
        return NULL;
    out = malloc(n / 2 + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (char)byte;
    }
    out[n / 2] = '\0';
    return out;
}

/* Collects what the module says to the user ("There were too many logins ..."). */
static int conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)data;
    *resp = calloc((size_t)n, sizeof **resp);
    if (*resp == NULL)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        printf("conv %d ", msg[i]->msg_style);
        put_hex(msg[i]->msg);
        putchar('\n');
    }
    return PAM_SUCCESS;
}

static void open_session(const char *user)
{
    struct pam_conv conv = { conversation, NULL };
    pam_handle_t *pamh = NULL;
    int rc;

    printf("user ");
    put_hex(user);
    putchar('\n');
    rc = pam_start_confdir(SERVICE, user, &conv, confdir, &pamh);
    if (rc == PAM_SUCCESS)
        rc = pam_open_session(pamh, 0);
    printf("result %d\n", rc);
    if (pamh != NULL)
        pam_end(pamh, rc);
}

/* Fails the child with a message the driver shows. */
static void die(const char *what, const char *path)
{
    printf("tree end %s%s%s: %s\n", what, *path ? " " : "", path, strerror(errno));
    fflush(stdout);
    _exit(1);
}

static void run_tree_in_child(const struct tree_job *job)
{
    if (unshare(CLONE_NEWNS) != 0)
        die("unshare(CLONE_NEWNS)", "");
    /* Without this, mounts could propagate to the host's shared mount peers. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        die("make / private", "/");
    for (int i = 0; i < job->nbinds; i++) {
        if (mount(job->bind_src[i], job->bind_dst[i], NULL, MS_BIND, NULL) != 0)
            die("bind mount onto", job->bind_dst[i]);
    }
    for (int i = 0; i < job->nusers; i++)
        open_session(job->users[i]);
    for (int i = 0; i < job->nbinds; i++) {
        struct stat src, dst;
        if (stat(job->bind_src[i], &src) != 0 || stat(job->bind_dst[i], &dst) != 0 ||
            src.st_dev != dst.st_dev || src.st_ino != dst.st_ino) {
            printf("tree end bind mount lost during the sessions: %s\n", job->bind_dst[i]);
            fflush(stdout);
            _exit(EXIT_MOUNT_LOST);
        }
    }
    printf("tree end 0\n");
    fflush(stdout);
    _exit(0);
}

/* Runs the tree once in a child; its output (ending in "tree end ...") goes to *out. */
static int run_tree_once(const struct tree_job *job, char **out, size_t *len)
{
    FILE *mem = open_memstream(out, len);
    int fds[2];
    pid_t pid;
    int status = 0;
    char buf[8192];
    ssize_t n;

    if (mem == NULL || pipe(fds) != 0) {
        if (mem != NULL)
            fprintf(mem, "tree end pipe: %s\n", strerror(errno));
        else
            *out = NULL;
        if (mem != NULL)
            fclose(mem);
        return -1;
    }
    fflush(stdout); /* the child must not inherit (and print again) buffered output */
    pid = fork();
    if (pid < 0) {
        fprintf(mem, "tree end fork: %s\n", strerror(errno));
        fclose(mem);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(1);
        close(fds[1]);
        run_tree_in_child(job);
    }
    close(fds[1]);
    while ((n = read(fds[0], buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        fwrite(buf, 1, (size_t)n, mem);
    }
    close(fds[0]);
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        fprintf(mem, "tree end child crashed (status %d)\n", status);
    fclose(mem);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void run_tree(const struct tree_job *job)
{
    char *out = NULL;
    size_t len = 0;

    printf("tree begin\n");
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        free(out);
        out = NULL;
        if (run_tree_once(job, &out, &len) != EXIT_MOUNT_LOST)
            break;
    }
    if (out != NULL)
        fwrite(out, 1, len, stdout);
    else
        printf("tree end out of memory\n");
    free(out);
}

static void clear_job(struct tree_job *job)
{
    for (int i = 0; i < job->nbinds; i++) {
        free(job->bind_src[i]);
        free(job->bind_dst[i]);
    }
    for (int i = 0; i < job->nusers; i++)
        free(job->users[i]);
    memset(job, 0, sizeof *job);
}

static int bad_input(const char *line)
{
    fprintf(stderr, "harness: bad input line: %s", line);
    return 2;
}

int main(int argc, char **argv)
{
    static struct tree_job job;
    char *line = NULL;
    size_t cap = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <confdir> < jobs\n", argv[0]);
        return 2;
    }
    /* Without the shim the module would really change limits and chroot this process. */
    if (dlsym(RTLD_DEFAULT, "limitsctl_shim_active") == NULL) {
        fprintf(stderr, "harness: shim.so is not preloaded (LD_PRELOAD); refusing to run\n");
        return 2;
    }
    confdir = argv[1];
    while (getline(&line, &cap, stdin) > 0) {
        char a[4096], b[4096];
        if (strcmp(line, "tree\n") == 0) {
            clear_job(&job);
        } else if (strcmp(line, "end\n") == 0) {
            run_tree(&job);
            clear_job(&job);
        } else if (sscanf(line, "bind %4095s %4095s", a, b) == 2 && job.nbinds < MAX_BINDS) {
            job.bind_src[job.nbinds] = from_hex(a);
            job.bind_dst[job.nbinds] = from_hex(b);
            if (job.bind_src[job.nbinds] == NULL || job.bind_dst[job.nbinds] == NULL)
                return bad_input(line);
            job.nbinds++;
        } else if (sscanf(line, "user %4095s", a) == 1 && job.nusers < MAX_USERS) {
            job.users[job.nusers] = from_hex(a);
            if (job.users[job.nusers] == NULL)
                return bad_input(line);
            job.nusers++;
        } else {
            return bad_input(line);
        }
    }
    free(line);
    return 0;
}
