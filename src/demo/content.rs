//! The demo's file contents: render logs with timestamps and levels, JSON stats, YAML
//! configs, CSV metrics, a small binary "frame" per task. Deterministic (seeded) text with
//! timestamps relative to now, so the demo looks like a job that ran an hour ago.

use std::fmt::Write;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    Running,
}

#[derive(Debug, Clone, Copy)]
pub struct DemoTask {
    pub id: &'static str,
    pub outcome: Outcome,
    /// Log lines in stdout (one task has a long log to show head and tail).
    pub lines: usize,
    /// Has the custom kind `RenderMetrics`.
    pub metrics: bool,
}

const fn t(id: &'static str, outcome: Outcome, lines: usize, metrics: bool) -> DemoTask {
    DemoTask {
        id,
        outcome,
        lines,
        metrics,
    }
}

pub const TASKS: [DemoTask; 12] = [
    t("frame-001", Outcome::Done, 60, true),
    t("frame-002", Outcome::Done, 55, false),
    t("frame-003", Outcome::Done, 6000, true),
    t("frame-004", Outcome::Done, 58, false),
    t("frame-005", Outcome::Done, 61, true),
    t("frame-006", Outcome::Done, 57, false),
    t("frame-007", Outcome::Failed, 31, false),
    t("frame-008", Outcome::Done, 59, true),
    t("frame-009", Outcome::Done, 62, false),
    t("frame-010", Outcome::Done, 60, false),
    t("frame-011", Outcome::Done, 56, true),
    t("frame-012", Outcome::Running, 20, false),
];

/// Tiny deterministic generator (xorshift), so the demo needs no seeding crate.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: &str) -> Self {
        Rng(seed.bytes().fold(0x9E37_79B9_7F4A_7C15, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
        }) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// One render log line (also used by the running task).
pub fn render_line(rng: &mut Rng, task: &str, i: usize, at: OffsetDateTime) -> String {
    let ts = stamp(at);
    match rng.below(40) {
        0 => format!(
            "{ts} WARN  [{task}] tile {} took {:.1}s, above the 2.0s budget",
            i % 64,
            2.0 + rng.below(40) as f64 / 10.0
        ),
        1 => format!(
            "{ts} WARN  [{task}] texture cache at {}% of 4 GiB, evicting",
            85 + rng.below(15)
        ),
        2 => format!(
            "{ts} INFO  [{task}] \u{1b}[32mcheckpoint saved\u{1b}[0m (tile {})",
            i % 64
        ),
        _ => format!(
            "{ts} INFO  [{task}] tile {}/64 rendered in {:.2}s, {} samples/px",
            i % 64 + 1,
            0.4 + rng.below(120) as f64 / 100.0,
            [64, 128, 256][rng.below(3) as usize]
        ),
    }
}

fn stdout_log(task: &DemoTask, start: OffsetDateTime) -> String {
    let mut rng = Rng::new(task.id);
    let mut out = String::new();
    let mut at = start;
    let _ = writeln!(
        out,
        "{} INFO  [{}] batchout demo renderer 2.4.1 starting on node tvm-3871-{}",
        stamp(at),
        task.id,
        rng.below(9)
    );
    let _ = writeln!(
        out,
        "{} INFO  [{}] scene=demo/city.blend frame={} resolution=1920x1080",
        stamp(at),
        task.id,
        &task.id[6..]
    );
    for i in 0..task.lines {
        at += Duration::milliseconds(200 + rng.below(900) as i64);
        out.push_str(&render_line(&mut rng, task.id, i, at));
        out.push('\n');
    }
    match task.outcome {
        Outcome::Done => {
            let _ = writeln!(
                out,
                "{} INFO  [{}] frame written: {}.png (1920x1080)",
                stamp(at),
                task.id,
                task.id
            );
            let _ = writeln!(
                out,
                "{} INFO  [{}] done in {}s, exit code 0",
                stamp(at),
                task.id,
                task.lines / 2 + 7
            );
        }
        Outcome::Failed => {
            let _ = writeln!(
                out,
                "{} ERROR [{}] render failed: out of memory allocating 2.1 GiB for BVH",
                stamp(at),
                task.id
            );
        }
        Outcome::Running => {}
    }
    out
}

fn stderr_log(task: &DemoTask, start: OffsetDateTime) -> String {
    let ts = stamp(start + Duration::seconds(3));
    let mut out = format!(
        "{ts} WARN  [{}] GPU driver 535 is older than recommended (545)\n",
        task.id
    );
    if task.outcome == Outcome::Failed {
        let end = stamp(start + Duration::seconds(31));
        let _ = write!(
            out,
            "{end} ERROR [{id}] Traceback (most recent call last):\n\
             {end} ERROR [{id}]   File \"render.py\", line 212, in build_bvh\n\
             {end} ERROR [{id}] MemoryError: cannot allocate 2254857830 bytes\n\
             {end} FATAL [{id}] exiting with code 137\n",
            id = task.id
        );
    }
    out
}

/// Bytes that look like a PNG (header and chunk names) but are just demo noise.
fn fake_png(seed: &str, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x07\x80\0\0\x048\x08\x06\0\0\0".to_vec();
    out.extend((out.len()..len).map(|_| rng.next() as u8));
    out
}

/// Every file of one task: (kind, path, bytes). TaskLog files become append blobs.
pub fn task_files(task: &DemoTask) -> Vec<(&'static str, String, Vec<u8>)> {
    let n: usize = task.id[6..].parse().unwrap_or(1);
    let start = OffsetDateTime::now_utc() - Duration::minutes(90 - 5 * n as i64);
    let mut files = vec![
        (
            "TaskLog",
            "stdout.txt".to_string(),
            stdout_log(task, start).into_bytes(),
        ),
        (
            "TaskLog",
            "stderr.txt".to_string(),
            stderr_log(task, start).into_bytes(),
        ),
        (
            "TaskIntermediate",
            "checkpoint.yaml".to_string(),
            checkpoint_yaml(task).into_bytes(),
        ),
    ];
    for tile in 0..3 {
        files.push((
            "TaskIntermediate",
            format!("tiles/tile-{tile:02}.exr"),
            fake_png(&format!("{}{tile}", task.id), 1500),
        ));
    }
    if task.outcome == Outcome::Done {
        files.push((
            "TaskOutput",
            format!("{}.png", task.id),
            fake_png(task.id, 4096 + 97 * n),
        ));
        files.push((
            "TaskOutput",
            "stats.json".to_string(),
            stats_json(task).into_bytes(),
        ));
        files.push((
            "TaskPreview",
            format!("{}-thumb.svg", task.id),
            thumb_svg(task).into_bytes(),
        ));
    }
    if task.metrics {
        files.push((
            "RenderMetrics",
            "metrics.csv".to_string(),
            metrics_csv(task).into_bytes(),
        ));
    }
    files
}

fn stats_json(task: &DemoTask) -> String {
    let mut rng = Rng::new(task.id);
    format!(
        "{{\n  \"task\": \"{}\",\n  \"frame\": {},\n  \"tiles\": 64,\n  \"samples_per_pixel\": 128,\n  \"render_seconds\": {:.1},\n  \"peak_memory_mb\": {},\n  \"denoised\": true,\n  \"warnings\": [\"driver older than recommended\"]\n}}\n",
        task.id,
        &task.id[6..],
        20.0 + rng.below(400) as f64 / 10.0,
        1800 + rng.below(900)
    )
}

fn checkpoint_yaml(task: &DemoTask) -> String {
    format!(
        "# render checkpoint\ntask: {}\nscene: demo/city.blend\ntiles_done: {}\nsampler:\n  kind: sobol\n  samples: 128\nresume: {}\n",
        task.id,
        if task.outcome == Outcome::Done { 64 } else { 17 },
        task.outcome != Outcome::Done
    )
}

fn thumb_svg(task: &DemoTask) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"192\" height=\"108\">\n  <rect width=\"192\" height=\"108\" fill=\"#223\"/>\n  <text x=\"12\" y=\"60\" fill=\"#9cf\">{}</text>\n</svg>\n",
        task.id
    )
}

fn metrics_csv(task: &DemoTask) -> String {
    let mut rng = Rng::new(task.id);
    let mut out = String::from("tile,seconds,samples,memory_mb,status\n");
    for tile in 0..64 {
        let _ = writeln!(
            out,
            "{tile},{:.2},128,{},\"ok\"",
            0.4 + rng.below(120) as f64 / 100.0,
            900 + rng.below(400)
        );
    }
    out
}

pub fn job_outputs() -> Vec<(String, Vec<u8>)> {
    let frames: Vec<String> = TASKS
        .iter()
        .filter(|t| t.outcome == Outcome::Done)
        .map(|t| format!("    \"{}.png\"", t.id))
        .collect();
    vec![
        ("movie/city-preview.mp4".to_string(), fake_png("movie", 48 * 1024)),
        (
            "summary.json".to_string(),
            format!("{{\n  \"job\": \"demo-render\",\n  \"frames_done\": {},\n  \"frames_failed\": [\"frame-007\"],\n  \"frames\": [\n{}\n  ]\n}}\n", frames.len(), frames.join(",\n"))
                .into_bytes(),
        ),
        ("run-config.yaml".to_string(), b"scene: demo/city.blend\nresolution: [1920, 1080]\nsamples: 128\npool: render-nc6\nretry: 2\n".to_vec()),
        ("merge.sh".to_string(), b"#!/bin/sh\nset -eu\n# stitch frames into a preview movie\nffmpeg -framerate 12 -i frame-%03d.png -c:v libx264 movie/city-preview.mp4\necho \"merged $(ls frame-*.png | wc -l) frames\"\n".to_vec()),
    ]
}

pub fn contact_sheet() -> Vec<u8> {
    let mut out = String::from("Contact sheet of demo-render\n\n");
    for t in TASKS {
        let _ = writeln!(
            out,
            "{:<10} {}",
            t.id,
            match t.outcome {
                Outcome::Done => "done",
                Outcome::Failed => "FAILED",
                Outcome::Running => "running",
            }
        );
    }
    out.into_bytes()
}

pub fn manager_log() -> Vec<u8> {
    let start = OffsetDateTime::now_utc() - Duration::minutes(95);
    let mut out = String::new();
    for (i, t) in TASKS.iter().enumerate() {
        let _ = writeln!(
            out,
            "{} INFO  [jobmanager] added task {} (frame {})",
            stamp(start + Duration::seconds(i as i64)),
            t.id,
            &t.id[6..]
        );
    }
    let _ = writeln!(
        out,
        "{} WARN  [jobmanager] task frame-007 failed, retry 1 of 2 scheduled",
        stamp(start + Duration::minutes(40))
    );
    out.into_bytes()
}

pub fn simple_log(task: &str, lines: usize) -> Vec<u8> {
    let mut rng = Rng::new(task);
    let mut at = OffsetDateTime::now_utc() - Duration::hours(7);
    let mut out = String::new();
    for i in 0..lines {
        at += Duration::seconds(1 + rng.below(20) as i64);
        let level = if rng.below(12) == 0 { "WARN " } else { "INFO " };
        let _ = writeln!(
            out,
            "{} {level} [{task}] processed batch {} ({} rows)",
            stamp(at),
            i + 1,
            1000 + rng.below(9000)
        );
    }
    out.into_bytes()
}

pub fn report_json(task: &str) -> Vec<u8> {
    format!("{{\"task\": \"{task}\", \"rows\": 48213, \"ok\": true}}\n").into_bytes()
}

pub fn report_csv() -> Vec<u8> {
    let mut rng = Rng::new("report");
    let mut out = String::from("region,orders,revenue_eur\n");
    for r in ["north", "south", "east", "west", "central"] {
        let _ = writeln!(
            out,
            "{r},{},{}.{:02}",
            100 + rng.below(900),
            10_000 + rng.below(90_000),
            rng.below(100)
        );
    }
    out.into_bytes()
}
