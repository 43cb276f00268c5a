//! `groundwork blog seed`: a large, realistic data set for benchmarks (filled in below).
