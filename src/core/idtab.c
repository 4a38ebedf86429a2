/*
 * idtab.c - the faked identities of the processes on a prefix, so that
 * one can show another's (ps, pgrep -u read /proc/PID/status).
 *
 * A table in the file "vroot-idents" of the prefix's work directory,
 * mapped shared by the processes with a faked identity, one entry per
 * process: its pid and key (vr_proc_key(): an entry left by a process that
 * ended is known for one, whoever has its pid now) and its identity, that
 * of its main thread.  A process writes its entry when each image starts
 * and when the identity changes; a fork child writes its own when vroot
 * first runs in it.  An entry is written as the coherence page's are: pid
 * -1 while it is claimed, and `seq` odd while its process rewrites it.
 */
#include "coherence.h"
#include "ns.h"
#include "util.h"

#define IDTAB_FILE  "vroot-idents"
#define IDTAB_SLOTS 256
#define IDTAB_NONE  ((struct vr_idtab *)1)

struct vr_idtab_entry {
	int pid; /* 0 free, -1 being claimed */
	unsigned int seq;
	unsigned long key;
	struct vr_ident id;
};

/* struct vr_idtab - the shared file's layout. */
struct vr_idtab {
	struct vr_idtab_entry e[IDTAB_SLOTS];
};

/* map_table() - the shared table, made if missing.  Return: it, or IDTAB_NONE. */
static struct vr_idtab *
map_table(struct vr_ns *ns)
{
	struct vr_idtab *tab = vr_work_map(ns, IDTAB_FILE, sizeof(*tab));

	return tab ? tab : IDTAB_NONE;
}

/* table() - the namespace's table, mapped on first need, or NULL. */
static struct vr_idtab *
table(struct vr_ns *ns)
{
	struct vr_idtab *tab = __atomic_load_n(&ns->idtab, __ATOMIC_ACQUIRE), *none = NULL;

	if (!tab) {
		tab = map_table(ns);
		/* Threads may race here: one mapping wins, the others go. */
		if (!__atomic_compare_exchange_n(&ns->idtab, &none, tab, 0, __ATOMIC_ACQ_REL,
		                                 __ATOMIC_ACQUIRE)) {
			if (tab != IDTAB_NONE)
				vr_unmap(tab, sizeof(*tab));
			tab = none;
		}
	}
	return tab == IDTAB_NONE ? NULL : tab;
}

/* live() - entry @e, holding @pid, is a live process's. */
static int
live(struct vr_idtab_entry *e, int pid)
{
	return vr_proc_key(pid) == __atomic_load_n(&e->key, __ATOMIC_RELAXED);
}

/* claim() - entry @e, holding @pid, is this process's to write: 1 or 0. */
static int
claim(struct vr_idtab_entry *e, int pid)
{
	return __atomic_compare_exchange_n(&e->pid, &pid, -1, 0, __ATOMIC_ACQ_REL,
	                                   __ATOMIC_RELAXED);
}

/* own_entry() - the entry of process @pid, whose key is @key, claimed if new, or NULL. */
static struct vr_idtab_entry *
own_entry(struct vr_idtab *tab, int pid, unsigned long key)
{
	struct vr_idtab_entry *e;
	int i;

	/* An exec keeps the process, and so its key: the entry of its last image is this one's. */
	for (i = 0; i < IDTAB_SLOTS; i++) {
		e = &tab->e[i];
		if (__atomic_load_n(&e->pid, __ATOMIC_ACQUIRE) == pid &&
		    __atomic_load_n(&e->key, __ATOMIC_RELAXED) == key)
			return e;
	}
	/* Else a free entry, or that of a process that ended. */
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < IDTAB_SLOTS; i++) {
			int p;

			e = &tab->e[i];
			p = __atomic_load_n(&e->pid, __ATOMIC_ACQUIRE);
			if (p < 0 || (p > 0 && (pass == 0 || live(e, p))))
				continue;
			if (!claim(e, p))
				continue;
			__atomic_store_n(&e->key, key, __ATOMIC_RELAXED);
			__atomic_store_n(&e->pid, pid, __ATOMIC_RELEASE);
			return e;
		}
	return NULL;
}

void
vr_ident_publish(struct vr_task *t)
{
	struct vr_ns *ns = t->ns;
	struct vr_idtab *tab;
	struct vr_idtab_entry *e;
	int pid;
	unsigned long key;

	if (!t->id.faked || !(tab = table(ns)))
		return;
	pid = (int)vr_sys0(__NR_getpid);
	/* The key of this process, asked again only in a fork child. */
	if (__atomic_load_n(&ns->idtab_pid, __ATOMIC_RELAXED) != pid) {
		key = vr_proc_key(pid);
		if (!key)
			return;
		__atomic_store_n(&ns->idtab_key, key, __ATOMIC_RELAXED);
		__atomic_store_n(&ns->idtab_pid, pid, __ATOMIC_RELAXED);
	}
	key = __atomic_load_n(&ns->idtab_key, __ATOMIC_RELAXED);
	e = own_entry(tab, pid, key);
	if (!e)
		return; /* full: this process shows the host's ids to the others */
	__atomic_add_fetch(&e->seq, 1, __ATOMIC_ACQ_REL);
	vr_memcpy(&e->id, &t->id, sizeof(e->id));
	__atomic_add_fetch(&e->seq, 1, __ATOMIC_RELEASE);
}

int
vr_ident_of(struct vr_task *t, int pid, struct vr_ident *id)
{
	struct vr_idtab *tab;

	if (!t->id.faked || pid <= 0 || !(tab = table(t->ns)))
		return 0;
	for (int i = 0; i < IDTAB_SLOTS; i++) {
		struct vr_idtab_entry *e = &tab->e[i];
		unsigned long key;
		unsigned int seq;

		if (__atomic_load_n(&e->pid, __ATOMIC_ACQUIRE) != pid)
			continue;
		/* A copy made while no rewrite ran (a rewrite is a few stores: a few tries). */
		for (int k = 0; k < 1000; k++) {
			seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			key = __atomic_load_n(&e->key, __ATOMIC_RELAXED);
			vr_memcpy(id, &e->id, sizeof(*id));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (!(seq & 1) && __atomic_load_n(&e->seq, __ATOMIC_RELAXED) == seq)
				break;
			seq = 1;
		}
		if ((seq & 1) || __atomic_load_n(&e->pid, __ATOMIC_ACQUIRE) != pid)
			return 0;
		return id->faked && key && vr_proc_key(pid) == key;
	}
	return 0;
}

void
vr_idtab_fini(struct vr_ns *ns)
{
	struct vr_idtab *tab = ns->idtab;

	if (tab && tab != IDTAB_NONE)
		vr_unmap(tab, sizeof(*tab));
	ns->idtab = NULL;
}
