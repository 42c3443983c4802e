/*
 * Connect-storm load generator: the same exchange as bench/src/scenarios/connect-storm.ts
 * (CONNECT, CONNACK, DISCONNECT, the broker closes), written against epoll so that the generator
 * costs a fraction of what the broker does. The Node.js generator spends about as much CPU per
 * connection as the broker it measures, and on a 2-core machine it saturated a core before
 * Mosquitto did.
 *
 * Usage: connect-storm <host> <port> <concurrency>
 *   stdin:  the CONNECT packets, one per client, each preceded by its length (uint32, little endian)
 *   stdout: one line per client, "<return code> <microseconds from socket() to CONNACK>"
 *           (return code -1: no CONNACK), then "elapsed_us <first socket() to last CONNACK>" and
 *           "cpu_us <user + system microseconds of this process>"
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum state { CONNECTING, AWAIT_CONNACK, CLOSING };

struct conn {
  int fd;
  int index;
  enum state state;
  int got;
  unsigned char connack[4];
  double started;
};

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static unsigned char **packets;
static uint32_t *lengths;
static int count;
static int *codes;
static double *latencies;

static int read_packets(void) {
  int capacity = 1024;
  packets = malloc(sizeof(*packets) * capacity);
  lengths = malloc(sizeof(*lengths) * capacity);
  for (;;) {
    uint32_t length;
    if (fread(&length, 4, 1, stdin) != 1) break;
    if (length == 0 || length > 65536) return -1;
    if (count == capacity) {
      capacity *= 2;
      packets = realloc(packets, sizeof(*packets) * capacity);
      lengths = realloc(lengths, sizeof(*lengths) * capacity);
    }
    packets[count] = malloc(length);
    if (fread(packets[count], 1, length, stdin) != length) return -1;
    lengths[count++] = length;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: connect-storm <host> <port> <concurrency> < packets\n");
    return 2;
  }
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) {
    fprintf(stderr, "connect-storm: %s is not an IPv4 address\n", argv[1]);
    return 2;
  }
  int concurrency = atoi(argv[3]);
  if (concurrency < 1) concurrency = 1;
  if (read_packets() != 0) {
    fprintf(stderr, "connect-storm: malformed packet input\n");
    return 2;
  }
  codes = malloc(sizeof(int) * (count ? count : 1));
  latencies = malloc(sizeof(double) * (count ? count : 1));
  for (int i = 0; i < count; i++) codes[i] = -1, latencies[i] = 0;

  int epoll = epoll_create1(0);
  struct epoll_event events[256];
  int next = 0, pending = 0, open_sockets = 0;
  double first_start = 0, last_connack = 0;
  static const unsigned char disconnect[2] = {0xe0, 0x00};

  while (next < count || open_sockets > 0) {
    /* Keep `concurrency` clients between socket() and CONNACK, as the Node.js generator does. */
    while (next < count && pending < concurrency) {
      struct conn *c = calloc(1, sizeof(*c));
      c->index = next++;
      c->started = now_us();
      if (first_start == 0) first_start = c->started;
      c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (c->fd < 0) {
        free(c);
        continue;
      }
      int one = 1;
      setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (connect(c->fd, (struct sockaddr *)&address, sizeof(address)) != 0 && errno != EINPROGRESS) {
        close(c->fd);
        free(c);
        continue;
      }
      c->state = CONNECTING;
      struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
      epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &ev);
      pending++;
      open_sockets++;
    }
    int ready = epoll_wait(epoll, events, 256, 15000);
    if (ready <= 0) break; /* nothing for 15 s: the rest count as failed */
    for (int i = 0; i < ready; i++) {
      struct conn *c = events[i].data.ptr;
      int done = 0;
      if (c->state == CONNECTING && (events[i].events & EPOLLOUT)) {
        int error = 0;
        socklen_t size = sizeof(error);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0 || write(c->fd, packets[c->index], lengths[c->index]) != (ssize_t)lengths[c->index]) {
          done = 1;
        } else {
          c->state = AWAIT_CONNACK;
          struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
          epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &ev);
        }
      } else if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        unsigned char buffer[256];
        ssize_t n = read(c->fd, buffer, sizeof(buffer));
        if (n <= 0) {
          done = 1; /* closed (after DISCONNECT: the broker's close) or reset */
        } else if (c->state == AWAIT_CONNACK) {
          for (ssize_t k = 0; k < n && c->got < 4; k++) c->connack[c->got++] = buffer[k];
          if (c->got == 4) {
            codes[c->index] = c->connack[0] == 0x20 ? c->connack[3] : -1;
            last_connack = now_us();
            latencies[c->index] = last_connack - c->started;
            pending--;
            c->state = CLOSING; /* no longer counted as pending */
            /* Accepted: DISCONNECT, then wait for the broker to close, so TIME_WAIT stays on its side. */
            if (codes[c->index] != 0 || write(c->fd, disconnect, 2) != 2) done = 1;
          }
        }
      }
      if (done) {
        if (c->state != CLOSING) pending--;
        epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        open_sockets--;
        free(c);
      }
    }
  }

  for (int i = 0; i < count; i++) printf("%d %.1f\n", codes[i], latencies[i]);
  printf("elapsed_us %.0f\n", last_connack > first_start ? last_connack - first_start : 0);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("cpu_us %ld\n", usage.ru_utime.tv_sec * 1000000L + usage.ru_utime.tv_usec + usage.ru_stime.tv_sec * 1000000L + usage.ru_stime.tv_usec);
  return 0;
}
