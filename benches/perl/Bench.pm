# Helpers shared by the IO::AIO anchor scripts: keeping N requests in flight, timing, and
# printing the measurement as one line of JSON for benches/lib/external.mjs.
package Bench;

use strict;
use warnings;
use Exporter 'import';
use IO::AIO;
use JSON::PP ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

our @EXPORT_OK = qw(in_flight in_lanes warm_up timed report read_lines);

# Calls $submit->($i, $callback) for every $i in 0 .. $total-1, keeping $width requests in
# flight: $callback (one closure for all requests) runs $check->(@results), then starts the
# next request. Returns once every callback has run.
#
# One shared callback, not a closure per request: with a fresh closure per request, 200k
# aio_nops at once took 5 s instead of 0.7 s here (the cost grows faster than linearly),
# which would measure perl rather than IO::AIO.
sub in_flight {
    my ($total, $width, $submit, $check) = @_;
    my $i = 0;
    my $callback;
    $callback = sub {
        $check->(@_);
        $submit->($i++, $callback) if $i < $total;
    };
    $submit->($i++, $callback) while $i < $total && $i < $width;
    IO::AIO::flush;
    undef $callback;    # it refers to itself
}

# Like in_flight, but each of the $width lanes has its own callback and passes its number
# to $submit->($i, $lane, $callback), so that a lane can own a buffer.
sub in_lanes {
    my ($total, $width, $submit, $check) = @_;
    my $i = 0;
    my @callbacks;
    for my $lane (0 .. ($width < $total ? $width : $total) - 1) {
        $callbacks[$lane] = sub {
            $check->(@_);
            $submit->($i++, $lane, $callbacks[$lane]) if $i < $total;
        };
        $submit->($i++, $lane, $callbacks[$lane]);
    }
    IO::AIO::flush;
    @callbacks = ();    # they refer to themselves
}

# Starts the pool's threads before the timed part (eio's pool in the node runner is warm
# too): IO::AIO creates threads on demand.
sub warm_up {
    aio_nop sub { } for 1 .. 64;
    IO::AIO::flush;
}

# Runs $code and prints how long it took, with the number of operations it did.
sub timed {
    my ($count, $code) = @_;
    my $start = clock_gettime(CLOCK_MONOTONIC);
    $code->();
    report({ seconds => clock_gettime(CLOCK_MONOTONIC) - $start, count => $count });
}

sub report {
    my ($measurement) = @_;
    print JSON::PP->new->canonical->encode($measurement), "\n";
}

# The lines of a file, without their newlines.
sub read_lines {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    chomp(my @lines = <$fh>);
    return @lines;
}

1;
