#!/usr/bin/perl
# Recursive scan of ROOT with types: aio_readdirx with READDIR_DENTS, descending into every
# DT_DIR entry (an lstat decides the rare DT_UNKNOWN); symlinks are not followed. Counts the
# entries below ROOT.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Fcntl ();
use IO::AIO;
use Bench qw(warm_up report);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($root) = @ARGV;
my $entries = 0;
my $scan;
$scan = sub {
    my ($dir) = @_;
    aio_readdirx $dir, IO::AIO::READDIR_DENTS, sub {
        my ($list) = @_;
        $list or die "readdir $dir: $!\n";
        for my $entry (@$list) {
            my ($name, $type) = @$entry;
            my $path = "$dir/$name";
            $entries++;
            if ($type == IO::AIO::DT_DIR) {
                $scan->($path);
            } elsif ($type == IO::AIO::DT_UNKNOWN) {
                aio_lstat $path, sub { $scan->($path) if $_[0] == 0 && -d _ };
            }
        }
    };
};
warm_up;
my $start = clock_gettime(CLOCK_MONOTONIC);
$scan->($root);
IO::AIO::flush;
my $seconds = clock_gettime(CLOCK_MONOTONIC) - $start;
undef $scan;
report({ seconds => $seconds, count => $entries });
