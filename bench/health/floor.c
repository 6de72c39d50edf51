#define _GNU_SOURCE
/* The kernel floor of a health probe: the same per-probe system calls GeoDns makes, from one C
 * thread, with no runtime around them, so GeoDns's CPU per probe can be read against it.
 * Every 10 ms tick starts the probes due (RATE per second spread over the ticks), each to the
 * next of COUNT ports from BASE on 127.0.0.1 (as the benchmark's members are):
 *   tcp:  socket (non-blocking), SO_LINGER 0, connect, poll(0) when it is under way, close (a reset);
 *   http: the same, then send the GET, EPOLL_CTL_ADD (EPOLLIN|EPOLLONESHOT), and on readiness
 *         recv the answer (until the head's end or the close) and close with a reset;
 *   http-keepalive: the GET (without "Connection: close") on a connection kept open per port (opened as
 *         for http on first use, again when the server closes it), EPOLL_CTL_ADD once and EPOLL_CTL_MOD
 *         (EPOLLIN|EPOLLONESHOT) per probe, recv on readiness; no close.
 *   syn:  a half-open probe (tcp-half-open): one sendto of a SYN on a raw socket whose BPF filter
 *         passes only segments to its own port, and a non-blocking recv of the SYN-ACK right after
 *         (on loopback it is there by then); the system answers the SYN-ACK with a reset.
 * It runs WARMUP s, then counts probes and its own CPU (getrusage) for SECONDS s and prints
 * "probes=N cpu_s=X us_per_probe=Y". Usage: floor tcp|http|http-keepalive|syn BASE COUNT RATE WARMUP SECONDS. Loopback only; syn needs CAP_NET_RAW. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
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
static const char kept_request[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: GeoDns-HealthCheck/1.0\r\n\r\n";

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

/* Half-open probes: the raw socket, the local port its SYNs leave from, and the next sequence number. */
static int raw_fd = -1;
static unsigned short syn_port;
static unsigned syn_sequence = 1;

static void open_raw(void) {
    int hold = socket(AF_INET, SOCK_STREAM, 0); /* holds the port: nothing else uses it, the system resets SYN-ACKs */
    struct sockaddr_in h = { .sin_family = AF_INET };
    socklen_t hl = sizeof h;
    if (bind(hold, (struct sockaddr *)&h, sizeof h) || getsockname(hold, (struct sockaddr *)&h, &hl)) { perror("bind"); exit(1); }
    syn_port = ntohs(h.sin_port);
    raw_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_TCP);
    if (raw_fd < 0) { perror("raw socket (needs CAP_NET_RAW)"); exit(1); }
    struct sock_filter code[] = {
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, syn_port, 0, 1), BPF_STMT(BPF_RET | BPF_K, 80), BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sock_fprog program = { 5, code };
    if (setsockopt(raw_fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program)) { perror("filter"); exit(1); }
}

static unsigned fold(unsigned long sum) { while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16); return sum; }

static void send_syn(int port) {
    unsigned char s[24] = { 0 };
    unsigned seq = syn_sequence++;
    s[0] = syn_port >> 8; s[1] = syn_port; s[2] = port >> 8; s[3] = port;
    s[4] = seq >> 24; s[5] = seq >> 16; s[6] = seq >> 8; s[7] = seq;
    s[12] = 6 << 4; s[13] = 0x02; s[14] = 64240 >> 8; s[15] = 64240 & 0xff;
    s[20] = 2; s[21] = 4; s[22] = 1460 >> 8; s[23] = 1460 & 0xff;
    unsigned long sum = 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 6 + 24; /* pseudo-header, 127.0.0.1 both ways */
    for (int i = 0; i < 24; i += 2) sum += (s[i] << 8) | s[i + 1];
    unsigned c = ~fold(sum) & 0xffff;
    s[16] = c >> 8; s[17] = c;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (sendto(raw_fd, s, sizeof s, 0, (struct sockaddr *)&a, sizeof a) != sizeof s) perror("sendto");
}

static void drain_raw(void) {
    unsigned char p[80];
    ssize_t n;
    while ((n = recv(raw_fd, p, sizeof p, 0)) > 0) {
        int ihl = (p[0] & 15) * 4;
        if (n >= ihl + 14 && (p[ihl + 13] & 0x12) == 0x12) done++;
    }
}

/* http-keepalive: the connection kept per port (-1: none yet), and which port each descriptor serves. */
static int kept[65536], kept_port[65536], kept_added[65536];

static void start_kept(int port_index, int port, int ep) {
    int fd = kept[port_index];
    if (fd < 0) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || fd >= 65536) { perror("socket"); exit(1); }
        struct linger l = { 1, 0 };
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            if (errno != EINPROGRESS) { close(fd); return; }
            struct pollfd p = { fd, POLLOUT, 0 };
            poll(&p, 1, 0);
        }
        kept[port_index] = fd; kept_port[fd] = port_index; kept_added[fd] = 0;
    }
    char text[256];
    int n = snprintf(text, sizeof text, kept_request, port);
    if (send(fd, text, n, MSG_NOSIGNAL) != n) { close(fd); kept[port_index] = -1; return; }
    struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd };
    epoll_ctl(ep, kept_added[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &e);
    kept_added[fd] = 1;
}

int main(int argc, char **argv) {
    if (argc != 7) { fprintf(stderr, "usage: floor tcp|http|http-keepalive|syn BASE COUNT RATE WARMUP SECONDS\n"); return 2; }
    int http = strcmp(argv[1], "http") == 0, syn = strcmp(argv[1], "syn") == 0, keep = strcmp(argv[1], "http-keepalive") == 0;
    int base = atoi(argv[2]), count = atoi(argv[3]);
    for (int i = 0; i < 65536; i++) kept[i] = -1;
    if (syn) open_raw();
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
                if (syn) { send_syn(base + next_port); drain_raw(); }
                else if (keep) start_kept(next_port, base + next_port, ep);
                else start(http, base + next_port, ep);
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
            if (keep && r > 0) { done++; continue; } /* the answer is one segment on loopback; the connection stays */
            if (keep) kept[kept_port[fd]] = -1;
            finish(fd);
        }
    }
    double spent = cpu() - c0, span = now() - w0;
    long probes = done - d0;
    printf("probes=%ld rate=%.0f cpu_s=%.3f us_per_probe=%.1f\n", probes, probes / span, spent, probes ? spent / probes * 1e6 : 0);
    return 0;
}
