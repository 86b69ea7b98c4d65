# test/tap/t/001_crash.pl
#     A backend killed, or the server shut down immediately, in the middle
#     of a migration that spans several revisions leaves none of them done:
#     version rows, journal, tables and generation are as before, and the
#     migration lock is not left behind.  CALL migrate_run, which commits
#     each revision, keeps the ones it finished.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('primary',
	install_path => $ENV{PG_MIGRATE_INSTALL_PATH});
$node->init;
# the cluster's default is to stay down after a backend crashes
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE crashdb');
$node->safe_psql('crashdb',
	'CREATE EXTENSION pg_migrate; CREATE TABLE crash_ctl (at text)');

# k0 (applied first, so that the state before a crash is not empty) and
# k1 <- k2 <- k3; each kN sleeps in its upgrade or downgrade while
# crash_ctl names it
my $register = "SET client_min_messages = warning;\n";
for my $i (0 .. 3)
{
	my $parent = $i == 0 ? '{}' : '{k' . ($i - 1) . '}';
	$register .=
	  "SELECT migrate_add('k$i', \$q\$CREATE TABLE crash_$i (id int); "
	  . "INSERT INTO crash_$i SELECT generate_series(1, 1000); "
	  . "SELECT pg_sleep(60) FROM crash_ctl WHERE at = 'up$i';\$q\$, '$parent', "
	  . "\$q\$DROP TABLE crash_$i; "
	  . "SELECT pg_sleep(60) FROM crash_ctl WHERE at = 'down$i';\$q\$);\n";
}
$register .= "SELECT count(*) FROM migrate_upgrade('k0');\n";
$node->safe_psql('crashdb', $register);

# what a crash must leave alone: version rows | journal | tables |
# generation | pending
sub crash_state
{
	return $node->safe_psql(
		'crashdb', q{SELECT
		coalesce((SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.version), '-') || '|' ||
		coalesce((SELECT string_agg(revision || ':' || operation, ',' ORDER BY id) FROM migrate.journal), '-') || '|' ||
		coalesce((SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables
				  WHERE tablename LIKE 'crash\_%' AND tablename <> 'crash_ctl'), '-') || '|' ||
		(SELECT generation FROM migrate.state) || '|' ||
		coalesce((SELECT string_agg(revision, ',' ORDER BY step) FROM migrate_pending()), '-')});
}

# Start $sql in a session of its own, wait until the revision named $at
# sleeps, then end it: $how is "kill" (SIGKILL of the backend) or
# "immediate" (immediate shutdown, then a restart).
sub crash_round
{
	my ($how, $at, $sql) = @_;

	$node->safe_psql('crashdb',
		"TRUNCATE crash_ctl; INSERT INTO crash_ctl VALUES ('$at')");
	my $session = $node->background_psql('crashdb', on_error_stop => 0);
	$session->query_until(qr/started/,
		"\\echo started\nSET client_min_messages = warning;\n$sql;\n");
	$node->poll_query_until('crashdb',
		"SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event = 'PgSleep'")
	  or die "the migration did not reach pg_sleep in $at";
	if ($how eq 'kill')
	{
		my $pid = $node->safe_psql('crashdb',
			"SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'");
		kill 'KILL', $pid;
		# the postmaster ends every backend and reinitialises
		$node->poll_query_until('crashdb', 'SELECT NOT pg_is_in_recovery()')
		  or die 'crash recovery did not end';
	}
	else
	{
		$node->stop('immediate');
		$node->start;
	}
	eval { $session->quit; };
	$node->safe_psql('crashdb', 'TRUNCATE crash_ctl');
	return;
}

# four registrations and the k0 upgrade bumped the generation to 5; a
# crash must not bump it
my $before = crash_state();
is($before, 'k0|k0:upgrade|crash_0|5|k1,k2,k3', 'before the crashes k0 is applied');

for my $round (qw(kill:up2 immediate:up2 kill:up3 immediate:up1))
{
	my ($how, $at) = split /:/, $round;
	crash_round($how, $at, "SELECT * FROM migrate_upgrade('heads')");
	is(crash_state(), $before,
		"$how in k" . substr($at, 2) . " of an upgrade k1..k3 leaves the state as before");
	is($node->safe_psql('crashdb', 'SELECT count(*) FROM crash_0'),
		'1000', "$how: k0's table kept its rows");
}

is( $node->safe_psql(
		'crashdb',
		"SET client_min_messages = warning; SELECT count(*) FROM migrate_upgrade('heads')"),
	'3',
	'after the crashes an upgrade applies all three: no lock left behind');
my $after = crash_state();
is( $after,
	'k3|k0:upgrade,k1:upgrade,k2:upgrade,k3:upgrade|crash_0,crash_1,crash_2,crash_3|6|-',
	'after the upgrade: rows, journal, tables, generation, pending');

for my $round (qw(kill:down2 immediate:down1))
{
	my ($how, $at) = split /:/, $round;
	crash_round($how, $at, "SELECT * FROM migrate_downgrade('k0')");
	is(crash_state(), $after,
		"$how in k" . substr($at, 4) . " of a downgrade k3..k1 leaves the state as before");
}
is( $node->safe_psql(
		'crashdb',
		"SET client_min_messages = warning; SELECT count(*) FROM migrate_downgrade('k0')"),
	'3',
	'after the crashes a downgrade to k0 reverts three');
is((split /\|/, crash_state())[0], 'k0', 'after the downgrade only k0 is applied');

# CALL migrate_run commits each revision: a crash in k2 keeps k1, done and
# journaled, and leaves nothing of k2
crash_round('kill', 'up2', "CALL migrate_run('heads')");
my @state = split /\|/, crash_state();
is($state[0], 'k1', 'migrate_run killed in k2 kept k1');
like($state[1], qr/,k1:upgrade$/, '... journaled as its last step');
is($state[2], 'crash_0,crash_1', '... and left nothing of k2');
$node->safe_psql('crashdb',
	"SET client_min_messages = warning; CALL migrate_run('heads')");
is((split /\|/, crash_state())[4], '-', 'after the crash migrate_run applies the rest');

$node->stop;
done_testing();
