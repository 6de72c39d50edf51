#define _GNU_SOURCE
/* The kernel floor of a health probe: the same per-probe system calls GeoDns makes, from one C
 * thread, with no runtime around them, so GeoDns's CPU per probe can be read against it.
 * Every 10 ms tick starts the probes due (RATE per second spread over the ticks), each to the
 * next of COUNT ports from BASE on 127.0.0.1 (as the benchmark's members are):
 *   tcp:  socket (non-blocking), SO_LINGER 0, connect, poll(0) when it is under way, close (a reset);
 *   http: the same, then send the GET, EPOLL_CTL_ADD (EPOLLIN|EPOLLONESHOT), and on readiness
 *         recv the answer (until the head's end or the close) and close with a reset.
 * It runs WARMUP s, then counts probes and its own CPU (getrusage) for SECONDS s and prints
 * "probes=N cpu_s=X us_per_probe=Y". Usage: floor tcp|http BASE COUNT RATE WARMUP SECONDS. Loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: GeoDns-HealthCheck/1.0\r\nConnection: close\r\n\r\n";

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static long done;

static void finish(int fd) { close(fd); done++; }

/* One probe's start: returns the fd still waiting for an answer (http), or -1 when it ended here. */
static int start(int http, int port, int ep) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    struct linger l = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (errno != EINPROGRESS) { finish(fd); return -1; }
        struct pollfd p = { fd, POLLOUT, 0 };
        poll(&p, 1, 0); /* GeoDns looks once; on loopback the handshake is done by now */
    }
    if (!http) { finish(fd); return -1; }
    char text[256];
    int n = snprintf(text, sizeof text, request, port);
    if (send(fd, text, n, MSG_NOSIGNAL) != n) { finish(fd); return -1; }
    struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: floor tcp|http BASE COUNT RATE WARMUP SECONDS\n"); return 2; }
    int http = strcmp(argv[1], "http") == 0, base = atoi(argv[2]), count = atoi(argv[3]);
    double rate = atof(argv[4]), warmup = atof(argv[5]), seconds = atof(argv[6]);
    int ep = epoll_create1(EPOLL_CLOEXEC), next_port = 0;
    struct epoll_event events[256];
    char buffer[16384];
    double t0 = now(), tick = t0, owed = 0, c0 = 0, w0 = 0;
    long d0 = 0;
    int measuring = 0;
    for (;;) {
        double t = now();
        if (!measuring && t - t0 >= warmup) { measuring = 1; c0 = cpu(); w0 = t; d0 = done; }
        if (measuring && t - w0 >= seconds) break;
        if (t >= tick) {
            owed += rate * 0.01;
            for (; owed >= 1; owed--) {
                start(http, base + next_port, ep);
                next_port = (next_port + 1) % count;
            }
            tick += 0.01;
        }
        int wait_ms = (int)((tick - now()) * 1000) + 1;
        int n = epoll_wait(ep, events, 256, wait_ms < 0 ? 0 : wait_ms);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            ssize_t r = recv(fd, buffer, sizeof buffer, 0);
            if (r > 0 && !memmem(buffer, r, "\r\n\r\n", 4)) {
                struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd };
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e); /* the rest of the head is still to come */
                continue;
            }
            finish(fd);
        }
    }
    double spent = cpu() - c0, span = now() - w0;
    long probes = done - d0;
    printf("probes=%ld rate=%.0f cpu_s=%.3f us_per_probe=%.1f\n", probes, probes / span, spent, probes ? spent / probes * 1e6 : 0);
    return 0;
}
