//! Throughput of the whole pipeline (`netdoc::diagnose`) on what people paste: the
//! built-in example, a big `kubectl get pods -A` table, and a mixed incident paste
//! repeated to a few MB. Run with `cargo bench -p netdoc-engine`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::fmt::Write;
use std::hint::black_box;

fn pods_table(rows: usize) -> String {
    let mut s = String::from(
        "$ kubectl get pods -A -o wide\nNAMESPACE   NAME   READY   STATUS    RESTARTS   AGE   IP   NODE   NOMINATED NODE   READINESS GATES\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            s,
            "ns{}   web-{i}   1/1   Running   0   3d   10.244.{}.{}   node-{}   <none>   <none>",
            i % 50,
            (i / 250) % 256,
            i % 250 + 1,
            i % 40
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("diagnose");
    let example = netdoc::EXAMPLE;
    g.throughput(Throughput::Bytes(example.len() as u64));
    g.bench_function("example", |b| {
        b.iter(|| netdoc::diagnose(black_box(example)))
    });

    let pods = pods_table(50_000);
    g.throughput(Throughput::Bytes(pods.len() as u64));
    g.sample_size(10);
    g.bench_function("pods-50k-rows", |b| {
        b.iter(|| netdoc::diagnose(black_box(&pods)))
    });

    // Every scenario input pasted one after another, repeated: many segments of every kind.
    let mut mixed = String::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/scenarios");
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path().join("input.txt"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(t) = std::fs::read_to_string(p) {
                mixed.push_str(&t);
                mixed.push('\n');
            }
        }
    }
    let mixed = mixed.repeat(40);
    g.throughput(Throughput::Bytes(mixed.len() as u64));
    g.bench_function("scenarios-x40", |b| {
        b.iter(|| netdoc::diagnose(black_box(&mixed)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
