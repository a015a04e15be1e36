/* insn-count-plugin.c - a QEMU TCG plugin that counts the guest
 * instructions a program executes, for counting the instructions an
 * encoder table spends per image under qemu-user (Debian's qemu-user has
 * plugin support but ships no plugins).  Built for the host, by hand:
 *
 *   cc -shared -fPIC -O2 -o insn-count.so tests/bench/insn-count-plugin.c
 *   qemu-aarch64 -plugin ./insn-count.so -L /usr/aarch64-linux-gnu PROGRAM
 *
 * Prints "insns N" on stderr at exit.  Every translated block adds its
 * instruction count to one counter each time it runs (an inline add, not
 * atomic: run the program on one thread).
 *
 * Copyright 2026 The Clipsight authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No qemu-plugin.h here (Debian ships none): the few declarations of
 * QEMU's plugin API (version 1, QEMU 7.2) this file uses are written out.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb (qemu_plugin_id_t id,
                                            void (*cb) (qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline (struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                               void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns (const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb (qemu_plugin_id_t id, void (*cb) (qemu_plugin_id_t, void *),
                                     void *userdata);

__attribute__ ((visibility ("default"))) int qemu_plugin_version = 1;

int qemu_plugin_install (qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);

static uint64_t insns;

static void
on_translate (qemu_plugin_id_t       id,
              struct qemu_plugin_tb *tb)
{
  qemu_plugin_register_vcpu_tb_exec_inline (tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns,
                                            qemu_plugin_tb_n_insns (tb));
}

static void
on_exit (qemu_plugin_id_t id,
         void            *data)
{
  fprintf (stderr, "insns %" PRIu64 "\n", insns);
}

__attribute__ ((visibility ("default"))) int
qemu_plugin_install (qemu_plugin_id_t   id,
                     const qemu_info_t *info,
                     int                argc,
                     char             **argv)
{
  qemu_plugin_register_vcpu_tb_trans_cb (id, on_translate);
  qemu_plugin_register_atexit_cb (id, on_exit, NULL);
  return 0;
}
