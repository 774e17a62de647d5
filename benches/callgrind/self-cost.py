#!/usr/bin/env python3
"""Self cost per function of one callgrind dump (measure.sh keeps them with KEEP=1), and
the split between V8's collector and everything else ("mutator"): the collector's share
varies from run to run with when scavenges fall, the mutator's far less, so a change
that does not touch allocation is best judged by the mutator's instructions.

    benches/callgrind/self-cost.py DUMP REQUESTS [TOP]
"""
import collections
import re
import sys

# V8's garbage collector (young and old generation), by the names of its functions.
GC = re.compile(r'v8::internal::(Scavenger|Scavenge|Heap|MarkCompact|Marking|MainMarking|Evacuat|Sweeper|'
                r'Pretenuring|SemiSpace|NewSpace|PagedSpace|MemoryAllocator|MemoryChunk|ConcurrentMarking|'
                r'IncrementalMarking|BodyDescriptor|RememberedSet|SlotSet|TypedSlot|LargeObjectSpace|'
                r'FreeList|LocalAllocator|EvacuationAllocator|HeapObject::SizeFromMap|ObjectVisitor)|'
                r'Scavenge|IterateAndScavenge|heap::base::')


def main():
    dump, requests = sys.argv[1], int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    names, cost = {}, collections.Counter()
    fn, after_call = None, False

    def name(spec):
        m = re.match(r'\((\d+)\)(?: (.*))?', spec)
        if m is None:
            return spec
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), spec)

    for line in open(dump):
        if line.startswith('fn='):
            fn, after_call = name(line[3:].rstrip('\n')), False
        elif line.startswith('cfn='):
            name(line[4:].rstrip('\n'))
        elif line.startswith('calls='):
            after_call = True  # the next cost line is the call's inclusive cost
        elif line[:1].isdigit() or line[:1] in '+-*':
            parts = line.split()
            if len(parts) >= 2:
                if after_call:
                    after_call = False
                else:
                    cost[fn] += int(parts[1])
    total = sum(cost.values())
    gc = sum(c for f, c in cost.items() if f and GC.search(f))
    print(f'per request: {total // requests} instructions: collector {gc // requests}, mutator {(total - gc) // requests}')
    for f, c in cost.most_common(top):
        print(f'{c / total * 100:5.1f}% {c // requests:6d} {f[:120]}')


main()
