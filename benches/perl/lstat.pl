#!/usr/bin/perl
# aio_lstat of every path in LIST (one a line), WIDTH in flight (0: all at once).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::AIO;
use Bench qw(in_flight warm_up timed read_lines);

my ($list, $width) = @ARGV;
my @paths = read_lines $list;
$width ||= @paths;
warm_up;
timed scalar @paths, sub {
    in_flight scalar @paths, $width, sub {
        my ($i, $callback) = @_;
        aio_lstat $paths[$i], $callback;
    }, sub { $_[0] == 0 or die "lstat: $!\n" };
};
