# Helpers shared by the IO::AIO anchor scripts: keeping N requests in flight, timing, and
# printing the measurement as one line of JSON for benches/lib/external.mjs.
package Bench;

use strict;
use warnings;
use Exporter 'import';
use IO::AIO;
use JSON::PP ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

our @EXPORT_OK = qw(in_flight warm_up timed report read_lines);

# Calls $submit->($i, $lane, $next) for every $i in 0 .. $total-1, keeping $width requests
# in flight: the request's callback calls $next->($lane) to start the next index on the
# same lane (so a lane can own a buffer). Returns once every callback has run.
sub in_flight {
    my ($total, $width, $submit) = @_;
    my $i = 0;
    my $next;
    $next = sub {
        my ($lane) = @_;
        $submit->($i++, $lane, $next) if $i < $total;
    };
    $next->($_) for 0 .. ($width < $total ? $width : $total) - 1;
    IO::AIO::flush;
    undef $next;    # it refers to itself through the callbacks
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
