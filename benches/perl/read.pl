#!/usr/bin/perl
# Random reads of SIZE bytes from FILE at the block indices in OFFSETS (uint32 LE, in units
# of SIZE), WIDTH in flight, each lane reading into its own buffer.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use IO::AIO;
use Bench qw(in_lanes warm_up timed);

my ($file, $offsets_file, $size, $width) = @ARGV;
open my $fh, '<:raw', $file or die "$file: $!\n";
open my $ofh, '<:raw', $offsets_file or die "$offsets_file: $!\n";
my @blocks = unpack 'V*', do { local $/; <$ofh> };
my @buffers = map { "\0" x $size } 1 .. $width;
warm_up;
timed scalar @blocks, sub {
    in_lanes scalar @blocks, $width, sub {
        my ($i, $lane, $callback) = @_;
        aio_read $fh, $blocks[$i] * $size, $size, $buffers[$lane], 0, $callback;
    }, sub { $_[0] == $size or die "read: $!\n" };
};
