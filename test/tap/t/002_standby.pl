# test/tap/t/002_standby.pl
#     A streaming standby refuses every change with SQLSTATE 25006 and a
#     hint, reports the state replay has reached, and migrate_wait there
#     returns only once replay has reached the primary's migration.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary',
	install_path => $ENV{PG_MIGRATE_INSTALL_PATH});
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE DATABASE standbydb');
$primary->safe_psql(
	'standbydb', q{
	CREATE EXTENSION pg_migrate;
	SET client_min_messages = warning;
	SELECT migrate_add('h1', 'CREATE TABLE hot_one (id int)');
	SELECT migrate_add('h2', 'CREATE TABLE hot_two (id int)', '{h1}');
	SELECT count(*) FROM migrate_upgrade('h1');
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby',
	install_path => $ENV{PG_MIGRATE_INSTALL_PATH});
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('standbydb', 'SELECT pg_is_in_recovery()'), 't',
	'the standby is in recovery');

my ($rc, $out, $err) = $standby->psql('standbydb',
	"\\set VERBOSITY verbose\nSELECT * FROM migrate_upgrade('head')");
like($err, qr/ERROR:  25006: cannot run migrations during recovery/,
	'migrate_upgrade on the standby fails with 25006');
like($err, qr/HINT:  Run migrations on the primary server\./, '... and says where to run it');
for my $call ("SELECT * FROM migrate_downgrade('base')",
	"SELECT migrate_stamp('h2')", "SELECT migrate_add('h9', 'SELECT 1')")
{
	($rc, $out, $err) =
	  $standby->psql('standbydb', "\\set VERBOSITY verbose\n$call");
	like($err, qr/ERROR:  25006/, "$call on the standby fails with 25006");
}

is($standby->safe_psql('standbydb',
		"SELECT string_agg(c, ',') FROM migrate_current() AS c"),
	'h1', 'migrate_current works on the standby');
is( $standby->safe_psql(
		'standbydb',
		"SELECT (s->>'pending') || '|' || (s->>'current') || '|' || (s->>'up_to_date') FROM migrate_status() AS s"
	),
	'["h2"]|["h1"]|false',
	'migrate_status works on the standby');

# with replay paused, the primary's migration is not visible: the wait
# times out; once replay resumes it returns
$standby->safe_psql('standbydb', 'SELECT pg_wal_replay_pause()');
$standby->poll_query_until('standbydb',
	"SELECT pg_get_wal_replay_pause_state() = 'paused'")
  or die 'replay did not pause';
$primary->safe_psql('standbydb',
	"SET client_min_messages = warning; SELECT count(*) FROM migrate_upgrade('heads')");
($rc, $out, $err) = $standby->psql('standbydb',
	"\\set VERBOSITY verbose\nSELECT migrate_wait('heads', '500ms')");
like($err, qr/ERROR:  55000/,
	'migrate_wait times out while replay is paused before the migration');
$standby->safe_psql('standbydb', 'SELECT pg_wal_replay_resume()');
is($standby->safe_psql('standbydb', "SELECT migrate_wait('heads', '60s')"),
	't', 'migrate_wait returns true once replay reaches the migration');
is($standby->safe_psql('standbydb',
		"SELECT string_agg(c, ',') FROM migrate_current() AS c"),
	'h2', 'the standby then reports h2 as current');

$standby->stop;
$primary->stop;
done_testing();
