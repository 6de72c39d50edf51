#define _GNU_SOURCE
/* Health benchmark backends on 127.0.0.1: one epoll loop listening on ports BASE..BASE+COUNT-1.
 * mode tcp: accept and close (a TCP check only needs the connection to open).
 * mode http: read the request head, answer "HTTP/1.1 200 OK" with body "ok", close.
 * mode http-keepalive: the same answer without "Connection: close", and the connection stays open for the next request.
 * Usage: backend tcp|http|http-keepalive BASE COUNT. Prints "ready" once listening. Loopback only. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#define MAXFD 65536
static char heads[MAXFD][8]; /* last bytes seen per connection, to spot the end of the head */
static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
static const char kept_reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: backend tcp|http|http-keepalive BASE COUNT\n"); return 2; }
    int keep = strcmp(argv[1], "http-keepalive") == 0, http = keep || strcmp(argv[1], "http") == 0, base = atoi(argv[2]), count = atoi(argv[3]);
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) { files.rlim_cur = files.rlim_max; setrlimit(RLIMIT_NOFILE, &files); } /* kept connections: one per member */
    int ep = epoll_create1(0);
    static int is_listener[MAXFD];
    for (int i = 0; i < count; i++) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(base + i) };
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4096)) { perror("bind/listen"); return 1; }
        is_listener[s] = 1;
        struct epoll_event e = { .events = EPOLLIN, .data.fd = s };
        epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
    }
    printf("ready\n"); fflush(stdout);
    struct epoll_event events[256];
    char buf[4096];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (is_listener[fd]) {
                int c;
                while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (!http || c >= MAXFD) { close(c); continue; }
                    memset(heads[c], 0, 8);
                    struct epoll_event e = { .events = EPOLLIN, .data.fd = c };
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) { close(fd); continue; }
            int done = 0;
            for (ssize_t k = 0; k < r && !done; k++) {
                memmove(heads[fd], heads[fd] + 1, 3); heads[fd][3] = buf[k];
                done = memcmp(heads[fd], "\r\n\r\n", 4) == 0;
            }
            if (done && keep) { ssize_t w = write(fd, kept_reply, sizeof kept_reply - 1); (void)w; }
            else if (done) { ssize_t w = write(fd, reply, sizeof reply - 1); (void)w; shutdown(fd, SHUT_WR); }
        }
    }
}
