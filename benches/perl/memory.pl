#!/usr/bin/perl
# Memory per outstanding request: with max_parallel 0 nothing executes, so COUNT aio_nop
# requests stay queued; the growth of the resident set, divided by COUNT, is their cost.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::AIO;
use Bench qw(warm_up report);

sub rss_bytes {
    open my $fh, '<', '/proc/self/status' or die "/proc/self/status: $!\n";
    while (<$fh>) { return $1 * 1024 if /^VmRSS:\s+(\d+) kB/ }
    die "no VmRSS\n";
}

my ($count) = @ARGV;
warm_up;
my $done = 0;
my $callback = sub { $done++ };
IO::AIO::max_parallel 0;
my $before = rss_bytes;
aio_nop $callback for 1 .. $count;
my $after = rss_bytes;
IO::AIO::min_parallel 8;    # max_parallel only ever lowers the thread count
IO::AIO::flush;
$done == $count or die "only $done of $count requests completed\n";
report({ bytes => $after - $before, count => 0 + $count });
