/* How long one dependent memory load takes on this machine, by working-set size: a random cyclic
 * pointer chase, so every load waits for the one before it (as a hash lookup, then its entry, then
 * the slot array it points to do). Sets the floor under the rules engine's cost per event.
 * Usage: gcc -O2 bench/memory-latency.c -o /tmp/memory-latency && /tmp/memory-latency 1 8 32 128 512 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long long next_random(unsigned long long *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

int main(int argc, char **argv)
{
    for (int arg = 1; arg < argc; arg++) {
        size_t megabytes = (size_t)atoi(argv[arg]);
        size_t n = megabytes * 1024 * 1024 / sizeof(size_t);
        size_t *next = malloc(n * sizeof(size_t));
        if (next == NULL || n < 2) {
            fprintf(stderr, "cannot chase %zu MB\n", megabytes);
            return 1;
        }

        /* Sattolo's shuffle: one cycle through every slot. */
        unsigned long long state = 88172645463325252ULL;
        for (size_t i = 0; i < n; i++) next[i] = i;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = next_random(&state) % i;
            size_t t = next[i]; next[i] = next[j]; next[j] = t;
        }

        size_t at = 0, loads = 20000000;
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (size_t i = 0; i < loads; i++) at = next[at];
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / loads;
        printf("%4zu MB working set: %6.1f ns per dependent load (end %zu)\n", megabytes, ns, at);
        free(next);
    }
    return 0;
}
