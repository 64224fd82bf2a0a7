// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof - a QEMU TCG plugin that counts the guest instructions executed
 * per translation block, for `make bench-profile` (harness/bench-profile.sh).
 *
 * Usage: qemu-system-x86_64 ... -plugin PATH/insnprof.so,out=PREFIX
 *
 * A guest program marks the intervals to profile by executing the otherwise
 * unused instruction "xchg %bx,%bx" (66 87 db; fsbench -m does it at every
 * clock read around its timed loops).  At each mark the plugin writes the
 * counts since the previous mark to PREFIX.<K> (K = 0, 1, ...), one line
 * "address instructions" per block start address that ran, and starts
 * counting again.  harness/bench/profile.py maps the addresses to the guest
 * kernel's symbols.
 *
 * Blocks end at control transfers, so a block lies in one function.  The
 * counts are exact for a single vCPU (-icount runs one); a block cut short by
 * an exception is counted whole.
 *
 * The few declarations of QEMU's plugin API (version 1, QEMU 7.2) that this
 * file uses are written out below, so that it builds without QEMU's headers.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
} qemu_info_t;

enum { CB_NO_REGS };
enum { INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   void (*cb)(qemu_plugin_id_t id,
						      struct qemu_plugin_tb *tb));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, int op, void *ptr,
					      uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    void (*cb)(unsigned int vcpu, void *data),
					    int flags, void *data);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translation of a block: its start, length and executions. */
struct block {
	uint64_t vaddr;
	uint64_t n_insns;
	uint64_t execs;
	struct block *next;
};

#define HASH_BITS 18
static struct block *table[1 << HASH_BITS];
static const char *prefix = "insnprof";
static unsigned int marks;

static unsigned int hash(uint64_t vaddr, uint64_t n)
{
	return ((vaddr ^ (n << 40)) * 0x9e3779b97f4a7c15ULL) >> (64 - HASH_BITS);
}

static struct block *block_of(uint64_t vaddr, uint64_t n)
{
	struct block **slot = &table[hash(vaddr, n)], *b;

	for (b = *slot; b; b = b->next)
		if (b->vaddr == vaddr && b->n_insns == n)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->vaddr = vaddr;
	b->n_insns = n;
	b->next = *slot;
	*slot = b;
	return b;
}

/* The mark: write the counts since the last one, and start again. */
static void mark(unsigned int vcpu, void *data)
{
	char path[4096];
	struct block *b;
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s.%u", prefix, marks++);
	f = fopen(path, "w");
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		for (b = table[i]; b; b = b->next) {
			if (b->execs && f)
				fprintf(f, "%" PRIx64 " %" PRIu64 "\n", b->vaddr,
					b->execs * b->n_insns);
			b->execs = 0;
		}
	}
	if (f)
		fclose(f);
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	static const unsigned char xchg_bx_bx[] = { 0x66, 0x87, 0xdb };
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct block *b = block_of(qemu_plugin_tb_vaddr(tb), n);

	qemu_plugin_register_vcpu_tb_exec_inline(tb, INLINE_ADD_U64, &b->execs, 1);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(xchg_bx_bx) &&
		    !memcmp(qemu_plugin_insn_data(insn), xchg_bx_bx, sizeof(xchg_bx_bx)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark, CB_NO_REGS, NULL);
	}
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			prefix = argv[i] + 4;
		} else {
			fprintf(stderr, "insnprof: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	return 0;
}
