#!/usr/bin/perl
# aio_nop round trips: TOTAL requests, WIDTH in flight (0: all at once).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::AIO;
use Bench qw(in_flight warm_up timed);

my ($total, $width) = map { 0 + $_ } @ARGV;
$width ||= $total;
warm_up;
timed $total, sub {
    in_flight $total, $width, sub { aio_nop $_[1] }, sub { };
};
