/*
 * Opens a real PAM session and runs a command as the user inside it, the way a login does:
 *
 *   session <confdir> <service> <user> <command> [args...]
 *
 * <confdir> holds the service file (e.g. "session required pam_limits.so conf=/tmp/t/limits.conf"),
 * read through pam_start_confdir() so /etc/pam.d is never involved. After pam_open_session the
 * program drops to the user (initgroups, setgid, setuid) and execs the command, which therefore
 * runs with the limits pam_limits just set. Needs root; used by test/doctor/live.test.ts.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int quiet_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)msg;
    (void)data;
    *resp = calloc((size_t)n, sizeof **resp);
    return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s CONFDIR SERVICE USER COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    struct pam_conv conv = { quiet_conv, NULL };
    pam_handle_t *pamh = NULL;
    int rc = pam_start_confdir(argv[2], argv[3], &conv, argv[1], &pamh);
    if (rc != PAM_SUCCESS) {
        fprintf(stderr, "pam_start_confdir: %s\n", pam_strerror(pamh, rc));
        return 3;
    }
    rc = pam_open_session(pamh, 0);
    fprintf(stderr, "pam_open_session: %s\n", pam_strerror(pamh, rc));
    if (rc != PAM_SUCCESS)
        return 4;
    struct passwd *pw = getpwnam(argv[3]);
    if (!pw || initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        perror("dropping to the user");
        return 5;
    }
    execvp(argv[4], argv + 4);
    perror("exec");
    return 6;
}
