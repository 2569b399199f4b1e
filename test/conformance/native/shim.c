/*
 * LD_PRELOAD shim for the pam_limits conformance harness.
 *
 * pam_limits.so is run for real, but nothing it asks for may reach the kernel: the harness
 * runs as root without CAP_SYS_RESOURCE, and even where a call would succeed it must not change
 * the harness process. So every system interface the module touches is replaced here:
 *
 *   getrlimit   returns fixed "caller" values (LIMITSCTL_SHIM_RLIMITS), so the test knows them
 *   setrlimit   is recorded and fails with the errno the kernel would give, applies nothing
 *   get/setpriority, prctl(PR_SET_NO_NEW_PRIVS), chroot, chdir   are recorded, apply nothing
 *   getutent    sees an empty utmp, so maxlogins counting is deterministic (count = 1)
 *   sd_get_sessions  (modules built with logind, Linux-PAM >= 1.7.0 USE_LOGIND: Debian 13's, and
 *               the upstream 1.7.0 build) sees no sessions, whatever logind runs on the host:
 *               check_logins() then takes count = 0
 *   syslog      is recorded instead of filling the host's journal
 *   audit_open  reports "no audit in this kernel", which libpam tolerates, so no audit records
 *               reach the host
 *
 * The symbols pam_limits.so imports were checked with `nm -D --undefined-only`: getrlimit,
 * setrlimit, getpriority, setpriority, prctl, chroot, chdir, setutent/getutent/endutent. The
 * 64-bit and prlimit variants are replaced too, so a build that uses them is still caught.
 *
 * Every record is one line on stdout, in the order the calls happen:
 *   call setrlimit <resource> <soft> <hard> <errno>
 *   call setpriority <which> <who> <prio>
 *   call prctl <option> <arg2>
 *   call chroot <hex path>
 *   call chdir <hex path>
 *   log <priority> <hex message>
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <syslog.h>
#include <utmp.h>

#define SHIM_NLIMITS 16
/* The kernel's default fs.nr_open, used when the (fake) /proc/sys/fs/nr_open has no number. */
#define DEFAULT_NR_OPEN 1048576ULL

static struct rlimit caller_limits[SHIM_NLIMITS];
static int caller_priority;

/* The harness looks this up with dlsym() and refuses to run without it. */
int limitsctl_shim_active = 1;

/* Parses LIMITSCTL_SHIM_RLIMITS="soft:hard,soft:hard,..." (16 pairs, decimal). */
static void load_caller_limits(void)
{
    const char *spec = getenv("LIMITSCTL_SHIM_RLIMITS");
    const char *prio = getenv("LIMITSCTL_SHIM_PRIORITY");
    char *p = (char *)spec;

    for (int i = 0; i < SHIM_NLIMITS; i++) {
        caller_limits[i].rlim_cur = RLIM_INFINITY;
        caller_limits[i].rlim_max = RLIM_INFINITY;
    }
    for (int i = 0; p != NULL && *p != '\0' && i < SHIM_NLIMITS; i++) {
        caller_limits[i].rlim_cur = strtoull(p, &p, 10);
        if (*p == ':')
            p++;
        caller_limits[i].rlim_max = strtoull(p, &p, 10);
        if (*p == ',')
            p++;
    }
    caller_priority = prio != NULL ? atoi(prio) : 0;
}

__attribute__((constructor)) static void shim_init(void)
{
    load_caller_limits();
}

static void put_hex(const char *s)
{
    if (*s == '\0')
        fputc('-', stdout); /* keep the field count fixed for the reader */
    for (; *s != '\0'; s++)
        fprintf(stdout, "%02x", (unsigned char)*s);
}

/* The kernel's fs.nr_open, as the fake /proc/sys/fs/nr_open bound over the real one says. */
static unsigned long long kernel_nr_open(void)
{
    char buf[64] = "";
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    char *end;
    unsigned long long v;

    if (f != NULL) {
        if (fgets(buf, sizeof buf, f) == NULL)
            buf[0] = '\0';
        fclose(f);
    }
    v = strtoull(buf, &end, 10);
    return end == buf ? DEFAULT_NR_OPEN : v;
}

/* The errno do_prlimit() would return for a root process that may raise hard limits. */
static int kernel_setrlimit_errno(int resource, const struct rlimit *r)
{
    if (resource < 0 || resource >= SHIM_NLIMITS)
        return EINVAL;
    if (r->rlim_cur > r->rlim_max)
        return EINVAL;
    if (resource == RLIMIT_NOFILE && r->rlim_max > kernel_nr_open())
        return EPERM;
    return 0;
}

static int shim_getrlimit(int resource, struct rlimit *r)
{
    if (resource < 0 || resource >= SHIM_NLIMITS) {
        errno = EINVAL;
        return -1;
    }
    *r = caller_limits[resource];
    return 0;
}

static int shim_setrlimit(int resource, const struct rlimit *r)
{
    int err = kernel_setrlimit_errno(resource, r);

    fprintf(stdout, "call setrlimit %d %llu %llu %d\n", resource,
            (unsigned long long)r->rlim_cur, (unsigned long long)r->rlim_max, err);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int getrlimit(__rlimit_resource_t resource, struct rlimit *r)
{
    return shim_getrlimit((int)resource, r);
}

int getrlimit64(__rlimit_resource_t resource, struct rlimit64 *r)
{
    return shim_getrlimit((int)resource, (struct rlimit *)r);
}

int setrlimit(__rlimit_resource_t resource, const struct rlimit *r)
{
    return shim_setrlimit((int)resource, r);
}

int setrlimit64(__rlimit_resource_t resource, const struct rlimit64 *r)
{
    return shim_setrlimit((int)resource, (const struct rlimit *)r);
}

static int shim_prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
    struct rlimit old;

    if (pid != 0) {
        errno = EPERM; /* only the process itself is ever simulated */
        return -1;
    }
    if (shim_getrlimit(resource, &old) != 0)
        return -1;
    if (new_limit != NULL && shim_setrlimit(resource, new_limit) != 0)
        return -1;
    if (old_limit != NULL)
        *old_limit = old;
    return 0;
}

int prlimit(pid_t pid, __rlimit_resource_t resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
    return shim_prlimit(pid, (int)resource, new_limit, old_limit);
}

int prlimit64(pid_t pid, __rlimit_resource_t resource, const struct rlimit64 *new_limit, struct rlimit64 *old_limit)
{
    return shim_prlimit(pid, (int)resource, (const struct rlimit *)new_limit, (struct rlimit *)old_limit);
}

int getpriority(__priority_which_t which, id_t who)
{
    (void)which;
    (void)who;
    errno = 0; /* -1 is a valid priority; callers tell errors apart by errno */
    return caller_priority;
}

int setpriority(__priority_which_t which, id_t who, int prio)
{
    fprintf(stdout, "call setpriority %d %u %d\n", (int)which, (unsigned)who, prio);
    return 0;
}

int prctl(int option, ...)
{
    va_list ap;
    unsigned long arg[4];
    int (*real_prctl)(int, ...);

    va_start(ap, option);
    for (int i = 0; i < 4; i++)
        arg[i] = va_arg(ap, unsigned long);
    va_end(ap);
    if (option == PR_SET_NO_NEW_PRIVS) {
        fprintf(stdout, "call prctl %d %lu\n", option, arg[0]);
        return 0;
    }
    /* Anything else is not the module's business: let the real prctl handle it. */
    real_prctl = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
    return real_prctl(option, arg[0], arg[1], arg[2], arg[3]);
}

int chroot(const char *path)
{
    fputs("call chroot ", stdout);
    put_hex(path);
    fputc('\n', stdout);
    return 0;
}

int chdir(const char *path)
{
    fputs("call chdir ", stdout);
    put_hex(path);
    fputc('\n', stdout);
    return 0;
}

/*
 * No logind sessions. sd_get_sessions() returns the number of sessions and stores a
 * NULL-terminated list; with 0 the module frees nothing and uses count = sessions = 0
 * (pam_limits.c 1.7.0 check_logins, USE_LOGIND branch).
 */
int sd_get_sessions(char ***sessions)
{
    if (sessions != NULL)
        *sessions = NULL;
    return 0;
}

/* An empty utmp: check_logins() counts only the session being opened. */
void setutent(void)
{
}

struct utmp *getutent(void)
{
    return NULL;
}

void endutent(void)
{
}

static void record_log(int priority, const char *format, va_list ap)
{
    char msg[2048];

    vsnprintf(msg, sizeof msg, format, ap);
    fprintf(stdout, "log %d ", LOG_PRI(priority));
    put_hex(msg);
    fputc('\n', stdout);
}

void syslog(int priority, const char *format, ...)
{
    va_list ap;

    va_start(ap, format);
    record_log(priority, format, ap);
    va_end(ap);
}

void vsyslog(int priority, const char *format, va_list ap)
{
    record_log(priority, format, ap);
}

void __syslog_chk(int priority, int flag, const char *format, ...)
{
    va_list ap;

    (void)flag;
    va_start(ap, format);
    record_log(priority, format, ap);
    va_end(ap);
}

void __vsyslog_chk(int priority, int flag, const char *format, va_list ap)
{
    (void)flag;
    record_log(priority, format, ap);
}

/* libaudit: "this kernel has no audit support" is the one audit_open() failure libpam ignores. */
int audit_open(void)
{
    errno = EPROTONOSUPPORT;
    return -1;
}
