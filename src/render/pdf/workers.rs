//! PDFs typeset in worker processes, so that no school's document can take the build with it.
//!
//! Typst cannot be interrupted: a document that runs away in time or memory (values at the
//! schema's bounds in every field, a loop in a theme) would hold the whole county. A worker is
//! planpress itself (`planpress pdf-worker`), holding the fonts and Typst's caches across the
//! schools it is given; the parent watches each compile's time and the worker's memory, and
//! kills a worker past either limit: that school fails with a message, the next gets a new worker.
//!
//! Parent and worker speak in frames over stdin and stdout: a JSON header and binary blobs (font
//! files, the school's data, PDFs), so that megabytes are never written as JSON numbers.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use typst::foundations::Bytes;

use super::{PdfEngine, PdfJob, PdfOutput, PdfSources, SourceTexts, resident};
use crate::base::diagnostics::SourceError;
use crate::base::roc::Date;

/// How long one school's PDFs may take and how much memory their worker may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    /// Bytes resident in the worker's memory (its fonts and caches included).
    pub memory: u64,
}

impl Default for Limits {
    /// Well above what a school at the schema's bounds in every field needs (12.9 s of one
    /// core, 522 MB): generous on a busy machine, and still a stop to a runaway.
    fn default() -> Limits {
        Limits {
            time: Duration::from_secs(120),
            memory: 2 << 30,
        }
    }
}

/// The subcommand a worker is started with.
pub const SUBCOMMAND: &str = "pdf-worker";

/// Typst's memoized results are kept for this many schools. The next school reuses the layout
/// of every paragraph and table of the county's text it shares (the theme keeps the school out
/// of the page styles, and each section of the body is a file of its own, see the PDF world), and a school
/// compiled again (the dev server after a save) reuses most of its own. Over 21 schools with
/// 2 workers, keeping 0, 1 or 3 schools took 8.1, 6.3 and 6.2 CPU-s (medians of 3) at a peak of
/// 180, 178 and 220 MB: one is enough, as what every school uses stays young.
const KEEP_COMPILES: usize = 1;

/// How often the parent looks at a compile's time and its worker's memory.
const TICK: Duration = Duration::from_millis(50);

/// Marks every frame, so that a program that is not a planpress worker is told apart at once.
const MAGIC: &[u8; 4] = b"PPW1";

#[derive(Serialize, Deserialize)]
enum Request {
    /// Blobs: the font files. The first request, once.
    Fonts,
    /// Blobs: the school's data.
    Compile(Box<JobHeader>),
}

#[derive(Serialize, Deserialize)]
struct JobHeader {
    sources: SourceTexts,
    name: String,
    body: String,
    date: (i32, u32, u32),
    ident: String,
    forms: bool,
    bundle: bool,
}

#[derive(Serialize, Deserialize)]
enum Reply {
    Ready,
    /// Blobs: each part's PDF, then the bundle's.
    Done {
        parts: Vec<String>,
        bundle: bool,
        text: String,
    },
    Failed(Vec<SourceError>),
}

/// The worker processes of one set of fonts.
pub struct Workers {
    fonts: Vec<Bytes>,
    limits: Limits,
    idle: Mutex<Vec<Worker>>,
}

struct Worker {
    child: Child,
    input: BufWriter<ChildStdin>,
    output: BufReader<ChildStdout>,
}

/// Why the parent stopped a worker.
enum Breach {
    Time,
    Memory(u64),
}

impl Workers {
    pub fn new(engine: &PdfEngine, limits: Limits) -> Workers {
        Workers {
            fonts: engine.font_files().to_vec(),
            limits,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Typesets one document in a worker, as [`PdfEngine::compile`] would here.
    pub fn compile(
        &self,
        sources: &PdfSources,
        job: &PdfJob,
    ) -> Result<PdfOutput, Vec<SourceError>> {
        let fail = |message: String| vec![SourceError::new(&job.name, None, message)];
        let idle = self.idle.lock().expect("not poisoned").pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => self
                .spawn()
                .map_err(|e| fail(format!("PDF: 無法啟動排版程序：{e:#}")))?,
        };
        match self.exchange(&mut worker, sources, job) {
            Ok(result) => {
                self.idle.lock().expect("not poisoned").push(worker);
                result
            }
            Err(message) => {
                worker.stop();
                Err(fail(message))
            }
        }
    }

    fn spawn(&self) -> Result<Worker> {
        let program = crate::base::program::path()?;
        let mut child = Command::new(&program)
            .arg(SUBCOMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("`{}`", program.display()))?;
        let mut worker = Worker {
            input: BufWriter::new(child.stdin.take().expect("piped")),
            output: BufReader::new(child.stdout.take().expect("piped")),
            child,
        };
        let fonts: Vec<&[u8]> = self.fonts.iter().map(|b| b.as_slice()).collect();
        let ready = write_frame(&mut worker.input, &Request::Fonts, &fonts)
            .and_then(|()| read_frame::<Reply>(&mut worker.output));
        match ready {
            Ok(Some((Reply::Ready, _))) => Ok(worker),
            _ => {
                worker.stop();
                bail!("`{}` is not a planpress PDF worker", program.display())
            }
        }
    }

    /// Sends the job and reads its reply while a watch stops the worker past the limits.
    /// `Err` says why the worker is gone.
    fn exchange(
        &self,
        worker: &mut Worker,
        sources: &PdfSources,
        job: &PdfJob,
    ) -> Result<Result<PdfOutput, Vec<SourceError>>, String> {
        let Worker {
            child,
            input,
            output,
        } = worker;
        let limits = self.limits;
        let (done, watching) = mpsc::channel::<()>();
        let (reply, breach) = std::thread::scope(|scope| {
            let watch = scope.spawn(move || watch(child, limits, watching));
            let reply = send(input, sources, job).and_then(|()| receive(output));
            drop(done);
            (reply, watch.join().expect("the watch does not panic"))
        });
        match (reply, breach) {
            (_, Some(Breach::Time)) => Err(format!(
                "PDF：排版超過 {} 秒的時間上限，已停止。請縮短過長的欄位或自訂文字；\
                 確屬需要時，以 --pdf-time-limit 放寬上限",
                limits.time.as_secs()
            )),
            (_, Some(Breach::Memory(used))) => Err(format!(
                "PDF：排版用掉 {} MiB 記憶體，超過 {} MiB 的上限，已停止。請縮短過長的欄位或\
                 自訂文字；確屬需要時，以 --pdf-memory-limit 放寬上限",
                used >> 20,
                limits.memory >> 20
            )),
            (Ok(result), None) => Ok(result),
            (Err(e), None) => {
                let status = worker.child.try_wait().ok().flatten();
                Err(match status {
                    Some(status) => format!("PDF：排版程序意外結束（{status}）"),
                    None => format!("PDF：排版程序無回應（{e}）"),
                })
            }
        }
    }
}

impl Workers {
    /// Stops the workers waiting for a school, freeing their memory (fonts and caches); a later
    /// compile starts new ones.
    pub fn stop_idle(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().expect("not poisoned"));
        idle.into_iter().for_each(Worker::stop);
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for worker in self.idle.get_mut().expect("not poisoned").drain(..) {
            worker.stop();
        }
    }
}

impl Worker {
    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Looks at the compile every tick until `done` says it is over; kills the worker past a limit.
fn watch(child: &mut Child, limits: Limits, done: Receiver<()>) -> Option<Breach> {
    let started = Instant::now();
    loop {
        match done.recv_timeout(TICK) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return None,
        }
        let breach = if started.elapsed() > limits.time {
            Some(Breach::Time)
        } else {
            resident::bytes(child)
                .filter(|used| *used > limits.memory)
                .map(Breach::Memory)
        };
        if breach.is_some() {
            let _ = child.kill();
            return breach;
        }
    }
}

fn send(input: &mut impl Write, sources: &PdfSources, job: &PdfJob) -> io::Result<()> {
    let header = JobHeader {
        sources: sources.texts(),
        name: job.name.clone(),
        body: job.body.clone(),
        date: (job.date.year, job.date.month, job.date.day),
        ident: job.ident.clone(),
        forms: job.forms,
        bundle: job.bundle,
    };
    write_frame(input, &Request::Compile(Box::new(header)), &[&job.data])
}

fn receive(output: &mut impl Read) -> io::Result<Result<PdfOutput, Vec<SourceError>>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    let (reply, blobs) = read_frame::<Reply>(output)?.ok_or_else(|| bad("no reply"))?;
    match reply {
        Reply::Done {
            parts,
            bundle,
            text,
        } => {
            let mut blobs = blobs.into_iter();
            let parts: Vec<(String, Vec<u8>)> = parts.into_iter().zip(blobs.by_ref()).collect();
            let bundle = bundle.then(|| blobs.next()).flatten();
            Ok(Ok(PdfOutput {
                parts,
                bundle,
                text,
            }))
        }
        Reply::Failed(errors) => Ok(Err(errors)),
        Reply::Ready => Err(bad("a reply out of turn")),
    }
}

/// The worker's side: reads the fonts, then typesets each job it is sent until its input ends.
pub fn run_worker() -> Result<()> {
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    let Some((Request::Fonts, fonts)) = read_frame::<Request>(&mut input)? else {
        bail!("a PDF worker is given its fonts first");
    };
    let engine = PdfEngine::from_fonts(fonts.into_iter().map(Bytes::new).collect());
    write_frame(&mut output, &Reply::Ready, &[])?;
    let mut sources: Option<(SourceTexts, PdfSources)> = None;
    while let Some((request, blobs)) = read_frame::<Request>(&mut input)? {
        let Request::Compile(header) = request else {
            bail!("fonts are given once");
        };
        // The county's sources are the same for every school: parsed once.
        if sources
            .as_ref()
            .is_none_or(|(texts, _)| *texts != header.sources)
        {
            let parsed = PdfSources::from_texts(header.sources.clone());
            sources = Some((header.sources, parsed));
        }
        let (_, parsed) = sources.as_ref().expect("set above");
        let (year, month, day) = header.date;
        let job = PdfJob {
            name: header.name,
            body: header.body,
            data: blobs.into_iter().next().unwrap_or_default(),
            date: Date { year, month, day },
            ident: header.ident,
            forms: header.forms,
            bundle: header.bundle,
        };
        match engine.compile(parsed, &job) {
            Ok(pdf) => {
                let mut blobs: Vec<&[u8]> = pdf.parts.iter().map(|(_, b)| &b[..]).collect();
                blobs.extend(pdf.bundle.as_deref());
                let reply = Reply::Done {
                    parts: pdf.parts.iter().map(|(name, _)| name.clone()).collect(),
                    bundle: pdf.bundle.is_some(),
                    text: pdf.text.clone(),
                };
                write_frame(&mut output, &reply, &blobs)?;
            }
            Err(errors) => write_frame(&mut output, &Reply::Failed(errors), &[])?,
        }
        comemo::evict(KEEP_COMPILES);
    }
    Ok(())
}

fn write_frame(w: &mut impl Write, header: &impl Serialize, blobs: &[&[u8]]) -> io::Result<()> {
    let header = serde_json::to_vec(header)?;
    w.write_all(MAGIC)?;
    w.write_all(&(header.len() as u64).to_le_bytes())?;
    w.write_all(&header)?;
    w.write_all(&(blobs.len() as u64).to_le_bytes())?;
    for blob in blobs {
        w.write_all(&(blob.len() as u64).to_le_bytes())?;
        w.write_all(blob)?;
    }
    w.flush()
}

/// The next frame, or `None` where the input ends between frames.
fn read_frame<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<Option<(T, Vec<Vec<u8>>)>> {
    let mut magic = [0; 4];
    match r.read_exact(&mut magic) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    if &magic != MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a planpress PDF worker's frame",
        ));
    }
    let header: T = serde_json::from_slice(&read_blob(r)?)?;
    let count = read_len(r)?;
    let blobs = (0..count)
        .map(|_| read_blob(r))
        .collect::<io::Result<_>>()?;
    Ok(Some((header, blobs)))
}

fn read_len(r: &mut impl Read) -> io::Result<u64> {
    let mut len = [0; 8];
    r.read_exact(&mut len)?;
    Ok(u64::from_le_bytes(len))
}

fn read_blob(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = read_len(r)?;
    let mut blob = Vec::new();
    r.take(len).read_to_end(&mut blob)?;
    if blob.len() as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_a_header_and_blobs_and_end_cleanly() {
        let mut wire = Vec::new();
        let reply = Reply::Done {
            parts: vec!["plan".into(), "form-a".into()],
            bundle: true,
            text: "計畫".into(),
        };
        write_frame(&mut wire, &reply, &[b"%PDF-1", b"", b"%PDF-3"]).unwrap();
        let mut r = &wire[..];
        let out = receive(&mut r).unwrap().unwrap();
        assert_eq!(out.parts[0], ("plan".to_string(), b"%PDF-1".to_vec()));
        assert_eq!(out.parts[1], ("form-a".to_string(), Vec::new()));
        assert_eq!(out.bundle.as_deref(), Some(&b"%PDF-3"[..]));
        assert_eq!(out.text, "計畫");
        assert!(read_frame::<Reply>(&mut r).unwrap().is_none());
    }

    #[test]
    fn output_that_is_not_a_worker_s_is_refused() {
        let mut r = &b"running 0 tests\n"[..];
        assert!(read_frame::<Reply>(&mut r).is_err());
    }
}
