#!/usr/bin/perl
# aio_rmtree of PATH with THREADS pool threads; COUNT is passed through to the result.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::AIO;
use Bench qw(warm_up timed);

my ($path, $threads, $count) = @ARGV;
$count += 0;
IO::AIO::min_parallel $threads;
IO::AIO::max_parallel $threads;
warm_up;
timed $count, sub {
    aio_rmtree $path, sub { $_[0] == 0 or die "rmtree $path: $!\n" };
    IO::AIO::flush;
};
