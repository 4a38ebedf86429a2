#!/usr/bin/perl
# stack-budget.pl - the deepest stack any handler path of the loader can
# take, from the call graphs GCC writes with -fcallgraph-info=su (one .ci
# file per object), checked against a budget.
#
#     perl src/loader/stack-budget.pl BUDGET FILE.ci...
#
# A path starts at an entry (the functions sigentry.S and rwentry.S run on
# a slot of the stack pool) and follows every call the compiler saw.  An
# indirect call goes to every function its caller's row of %indirect names;
# a caller with an indirect call and no row, a row whose pattern names no
# function, a recursion and a function of unbounded (dynamic) stack are
# errors: each would make the figure a guess.  Prints the deepest path and
# fails (exit 1) when it exceeds BUDGET bytes.
use strict;
use warnings;
no warnings 'recursion';

my @entries = qw(vrl_sigsys_on_pool vrl_sig_return_held vrl_sig_wrap_book rw_run);

# Callers of function pointers, and the functions the pointers can hold
# (regular expressions over function names).
my %indirect = (
	vr_loader_dispatch    => '^h_',                     # syscalls.h's handlers
	vrl_sigsys            => '^vrl_sig_', # syscalls.h's SIGNAL, SIGMASK, SIGWAIT rows
	vr_overlay_lookup     => '^host_',                  # layer.h's operations
	vr_overlay_lookup_attr => '^host_',
	step                  => '^host_',
	follow_link           => '^host_',
	read_layer            => '^host_',
	build                 => '^host_',
	vr_copyup             => '^host_',
	copy_special          => '^host_',
	vr_readlinkat         => '^host_',
	vr_walk_upper_dir     => '^host_',
	vr_proc_link_is_magic => '^host_',
	answer                => '^host_',                  # helperd.c, in_layer(), upper_parent()
	in_layer              => '^host_',
	upper_parent          => '^host_',
	change                => '^check_',                 # attr.c: the call's own checks
	vr_index_ready        => '^vr_copyup_index$',       # index.c: the entry's maker
	# The core's system calls: the hook the loader gives it (tpage.c).
	vr_sys_hooked => '^vrl_core_syscall$',
	# vr_dir_foreach and vr_each_entry: the callbacks their calls name in
	# the sources (%callback below).
	# The vDSO's clock_gettime: a few words of stack, not ours to count.
	vr_ns_clock_ms => undef,
	# The program's own signal handler, delivered on the stack the program
	# chose (or this one's remainder: its use is the program's, as natively).
	vrl_sig_forward => undef,
	vrl_sig_wrap    => undef,
	vrl_on_stack_c  => '^(rw_run|vrl_sig_wrap_book)$',
);

# Functions that call back the function given as argument N (from 0): the
# callbacks are read from their calls in the sources the graphs name.
my %callback = (vr_dir_foreach => 1, vr_each_entry => 3);

# Calls that reach a function for one of its cases only: CALLER => [CALLEE,
# the callees of CALLEE that case reaches].  vrl_open_exec() dispatches an
# openat, never an execve again.
my %narrow = (vrl_open_exec => ['vr_loader_dispatch', '^(vrl_ownfd_answer|vrl_call_handler|vrl_call_cond|h_openat)$'],);

my (%size, %calls, %file);
die "usage: $0 BUDGET FILE.ci...\n" unless @ARGV >= 2;
my $budget = shift;
for my $ci (@ARGV) {
	open(my $fh, '<', $ci) or die "$0: $ci: $!\n";
	while (<$fh>) {
		if (/^node: \{ title: "([^"]+)" label: "[^\\]*\\n([^\\]*)\\n(\d+) bytes \(([^)]*)\)/) {
			my ($t, $where, $n, $kind) = ($1, $2, $3, $4);
			(my $name = $t) =~ s/.*://;
			$size{$name} = $n if !defined $size{$name} || $n > $size{$name};
			$file{$name} = $where;
			die "$0: $name ($where): stack of $kind size, not bounded\n"
				if $kind !~ /^static$/ && $kind !~ /bounded/;
		} elsif (/^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"/) {
			my ($s, $t) = ($1, $2);
			s/.*:// for $s, $t;
			push @{$calls{$s}}, $t;
		}
	}
}

# The callbacks: argument N of each call, in every source file graphed.
my %src = map { (split /:/)[0] => 1 } values %file;
my %cb;
for my $f (sort keys %src) {
	open(my $fh, '<', $f) or next;
	my $text = do { local $/; <$fh> };
	for my $fn (keys %callback) {
		while ($text =~ /\b\Q$fn\E\(/g) {
			my ($depth, $arg, @args) = (1, '');
			for my $c (split //, substr($text, pos($text), 400)) {
				$depth++ if $c eq '(';
				$depth-- if $c eq ')';
				last if $depth == 0;
				if ($c eq ',' && $depth == 1) {
					push @args, $arg;
					$arg = '';
				} else {
					$arg .= $c;
				}
			}
			push @args, $arg;
			my $a = $args[$callback{$fn}] // '';
			$a =~ s/^\s+|\s+$//g;
			$cb{$fn}{$a} = 1 if $a =~ /^\w+$/ && $a ne 'fn';
		}
	}
}
for my $fn (keys %cb) {
	$indirect{$fn} = '^(' . join('|', sort keys %{$cb{$fn}}) . ')$';
}

# Indirect calls become edges to the functions their row names.
for my $f (keys %calls) {
	next unless grep { $_ eq '__indirect_call' } @{$calls{$f}};
	die "$0: $f ($file{$f}) calls through a pointer: add its targets to %indirect\n"
		unless exists $indirect{$f};
	my @to;
	if (defined(my $re = $indirect{$f})) {
		@to = grep { /$re/ && defined $size{$_} } sort keys %size;
		die "$0: no function matches /$re/, the targets of $f\n" unless @to;
	}
	$calls{$f} = [(grep { $_ ne '__indirect_call' } @{$calls{$f}}), @to];
}

# A narrowed call goes to a copy of the callee with fewer callees.
for my $f (sort keys %narrow) {
	my ($g, $re) = @{$narrow{$f}};
	next unless defined $size{$f};
	die "$0: $f does not call $g: update %narrow\n"
		unless grep { $_ eq $g } @{$calls{$f} || []};
	my $copy = "$g\@$f";
	$size{$copy} = $size{$g};
	$file{$copy} = $file{$g};
	$calls{$copy} = [grep { /$re/ } @{$calls{$g}}];
	die "$0: none of ${g}'s callees matches /$re/\n" unless @{$calls{$copy}};
	$calls{$f} = [map { $_ eq $g ? $copy : $_ } @{$calls{$f}}];
}

# Recursions with a bound in the code: FUNCTION => how many times it can be
# on the stack at once (whiteout.c's purge(): one call, then PURGE_DEPTH + 1
# levels of purge_entry()).
my %recursion = (vr_each_entry => 66);

# deep(F): F's own frame and the deepest of its callees, with the path.
# Results are kept, but not while a bounded recursion is being unrolled.
my (%deep, %path, %on, @stack);
sub deep {
	my ($f) = @_;
	my $unrolling = grep { $on{$_} } keys %recursion;
	return ($deep{$f}, $path{$f}) if !$unrolling && defined $deep{$f};
	# Within a bounded recursion the functions of its cycle come again;
	# any other recursion is an error (and so is one that never ends).
	die "$0: recursion: " . join(' -> ', @stack, $f) . "\n"
		if $on{$f} && !$recursion{$f} && (!$unrolling || @stack > 4096);
	return (0, []) if $recursion{$f} && ($on{$f} || 0) >= $recursion{$f};
	$on{$f}++;
	push @stack, $f;
	my ($best, $via) = (0, []);
	for my $g (@{$calls{$f} || []}) {
		next unless defined $size{$g};    # outside the loader (none by design)
		my ($d, $p) = deep($g);
		($best, $via) = ($d, $p) if $d > $best;
	}
	$on{$f}--;
	pop @stack;
	my ($d, $p) = ($size{$f} + $best, [$f, @$via]);
	($deep{$f}, $path{$f}) = ($d, $p) unless $unrolling;
	return ($d, $p);
}

my ($worst, $trail) = (0, []);
for my $e (@entries) {
	die "$0: entry $e not in the call graphs\n" unless defined $size{$e};
	my ($d, $p) = deep($e);
	($worst, $trail) = ($d, $p) if $d > $worst;
}
# The trail, with a run of the same two frames said once with its count.
my @t = map { "$_ $size{$_}" } @$trail;
my @out;
while (@t) {
	my $n = 1;
	$n++ while @t >= 2 * ($n + 1) && $t[2 * $n] eq $t[0] && $t[2 * $n + 1] eq $t[1];
	if ($n > 1) {
		push @out, "($t[0] -> $t[1]) x $n";
		splice @t, 0, 2 * $n;
	} else {
		push @out, shift @t;
	}
}
$trail = join(' -> ', @out);
if ($worst > $budget) {
	print STDERR "$0: the deepest handler path takes $worst bytes of stack, over its budget of"
		. " $budget:\n  $trail\n";
	exit 1;
}
print "deepest handler path: $worst of $budget bytes: $trail\n";
