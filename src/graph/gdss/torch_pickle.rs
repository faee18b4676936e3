//! Minimal, dependency-free reader for PyTorch `torch.save` zip archives (the format of the
//! released GDSS checkpoints).
//!
//! * A *stored* (uncompressed) zip reader — `torch.save` never compresses entries.
//! * A pickle virtual machine for the protocol-2 opcode subset that `torch.save` emits
//!   (plus a few protocol-4 opcodes), producing a generic [`PyValue`] tree. Unknown classes
//!   become [`PyValue::Object`]; `torch._utils._rebuild_tensor_v2` calls become
//!   [`PyValue::Tensor`] descriptors whose data are read lazily from `…/data/<key>`.
//!
//! Memo semantics are by value (a `BINGET` copies the memoised value), which is exact for
//! `torch.save` state dicts (memo hits are strings, classes and storage tuples).

use std::collections::HashMap;

use super::checkpoint::CheckpointError;

fn trunc(what: impl Into<String>) -> CheckpointError {
    CheckpointError::Truncated(what.into())
}

fn u16le(b: &[u8], at: usize) -> Result<u16, CheckpointError> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| trunc(format!("zip structure at byte {at}")))
}

fn u32le(b: &[u8], at: usize) -> Result<u32, CheckpointError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| trunc(format!("zip structure at byte {at}")))
}

/// A `torch.save` zip file opened: the archive, the folder prefix of its entries (`NAME/`) and
/// the unpickled top-level object of `NAME/data.pkl`.
pub struct TorchZip {
    /// The archive (tensor storages are `{prefix}data/{key}`).
    pub zip: StoredZip,
    /// Folder prefix of the entries.
    pub prefix: String,
    /// The unpickled top-level object.
    pub top: PyValue,
}

impl TorchZip {
    /// Parses the archive and unpickles its `data.pkl` (at most one folder deep).
    pub fn open(bytes: Vec<u8>) -> Result<Self, CheckpointError> {
        let zip = StoredZip::parse(bytes)?;
        let pkl = zip
            .names()
            .find(|n| n.ends_with("data.pkl") && n.matches('/').count() <= 1)
            .ok_or_else(|| CheckpointError::Format("no data.pkl in the archive (not a torch.save zip file)".into()))?
            .to_string();
        let prefix = pkl.trim_end_matches("data.pkl").to_string();
        let top = unpickle(zip.get(&pkl).expect("name listed"))?;
        Ok(Self { zip, prefix, top })
    }
}

/// An in-memory zip archive whose entries are all stored uncompressed.
pub struct StoredZip {
    bytes: Vec<u8>,
    /// name → (data offset, size)
    entries: HashMap<String, (usize, usize)>,
}

impl StoredZip {
    /// Parses the central directory of `bytes`.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, CheckpointError> {
        const EOCD: u32 = 0x0605_4b50;
        if bytes.len() < 22 {
            return Err(trunc(
                "file shorter than a zip end-of-central-directory record",
            ));
        }
        let lo = bytes.len().saturating_sub(22 + 65_535);
        let eocd = (lo..=bytes.len() - 22)
            .rev()
            .find(|&i| u32le(&bytes, i).ok() == Some(EOCD))
            .ok_or_else(|| {
                trunc(
                    "no zip end-of-central-directory record (file truncated or not a zip archive)",
                )
            })?;
        let count = u16le(&bytes, eocd + 10)? as usize;
        let cd_size = u32le(&bytes, eocd + 12)? as usize;
        let cd_off = u32le(&bytes, eocd + 16)? as usize;
        if count == 0xFFFF || cd_off == 0xFFFF_FFFF {
            return Err(CheckpointError::Format(
                "zip64 archives are not supported".into(),
            ));
        }
        if cd_off + cd_size > eocd {
            return Err(trunc("zip central directory"));
        }
        let mut entries = HashMap::with_capacity(count);
        let mut p = cd_off;
        for _ in 0..count {
            if u32le(&bytes, p)? != 0x0201_4b50 {
                return Err(CheckpointError::Format(format!(
                    "bad zip central-directory entry at byte {p}"
                )));
            }
            let method = u16le(&bytes, p + 10)?;
            let csize = u32le(&bytes, p + 20)? as usize;
            let usize_ = u32le(&bytes, p + 24)? as usize;
            let nlen = u16le(&bytes, p + 28)? as usize;
            let xlen = u16le(&bytes, p + 30)? as usize;
            let clen = u16le(&bytes, p + 32)? as usize;
            let local = u32le(&bytes, p + 42)? as usize;
            let name = bytes
                .get(p + 46..p + 46 + nlen)
                .ok_or_else(|| trunc("zip entry name"))?;
            let name = String::from_utf8_lossy(name).into_owned();
            if method != 0 || csize != usize_ {
                return Err(CheckpointError::Format(format!(
                    "zip entry {name} is compressed (method {method}); only stored entries are supported"
                )));
            }
            if u32le(&bytes, local)? != 0x0403_4b50 {
                return Err(CheckpointError::Format(format!(
                    "bad zip local header for {name}"
                )));
            }
            let data = local
                + 30
                + u16le(&bytes, local + 26)? as usize
                + u16le(&bytes, local + 28)? as usize;
            if data + csize > bytes.len() {
                return Err(trunc(format!("zip entry {name}")));
            }
            entries.insert(name, (data, csize));
            p += 46 + nlen + xlen + clen;
        }
        Ok(Self { bytes, entries })
    }

    /// Entry names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(|s| s.as_str())
    }

    /// Raw bytes of an entry.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries.get(name).map(|&(o, s)| &self.bytes[o..o + s])
    }
}

/// A reference to tensor data inside a torch zip archive.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorRef {
    /// Storage class name, e.g. `FloatStorage`.
    pub storage: String,
    /// Storage key (file `data/<key>`).
    pub key: String,
    /// Offset into the storage, in elements.
    pub offset: usize,
    /// Tensor shape.
    pub shape: Vec<usize>,
    /// Tensor strides, in elements.
    pub stride: Vec<usize>,
}

/// A decoded pickle value.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<PyValue>),
    List(Vec<PyValue>),
    /// Dict (insertion order kept), also `collections.OrderedDict`.
    Dict(Vec<(PyValue, PyValue)>),
    /// A class reference `module.name`.
    Global(String, String),
    /// Instance of an unknown class (e.g. `easydict.EasyDict`): dict items set on it, its
    /// constructor arguments and its `BUILD` state.
    Object {
        class: (String, String),
        args: Vec<PyValue>,
        items: Vec<(PyValue, PyValue)>,
        state: Option<Box<PyValue>>,
    },
    /// A persistent id (torch storage descriptor tuple).
    Persistent(Box<PyValue>),
    /// A tensor built by `torch._utils._rebuild_tensor_v2`.
    Tensor(TensorRef),
}

impl PyValue {
    /// Looks up a string key in a dict or dict-like object.
    pub fn get(&self, key: &str) -> Option<&PyValue> {
        let items = match self {
            PyValue::Dict(items) => items,
            PyValue::Object { items, .. } => items,
            _ => return None,
        };
        items
            .iter()
            .find(|(k, _)| matches!(k, PyValue::Str(s) if s == key))
            .map(|(_, v)| v)
    }

    /// Dict items of a dict or dict-like object.
    pub fn items(&self) -> Option<&[(PyValue, PyValue)]> {
        match self {
            PyValue::Dict(items) | PyValue::Object { items, .. } => Some(items),
            _ => None,
        }
    }
}

fn perr(pos: usize, msg: impl Into<String>) -> CheckpointError {
    CheckpointError::Pickle {
        pos,
        msg: msg.into(),
    }
}

fn as_usize(v: &PyValue, pos: usize, what: &str) -> Result<usize, CheckpointError> {
    match v {
        PyValue::Int(i) if *i >= 0 => Ok(*i as usize),
        other => Err(perr(
            pos,
            format!("{what}: expected a non-negative int, got {other:?}"),
        )),
    }
}

fn int_tuple(v: &PyValue, pos: usize, what: &str) -> Result<Vec<usize>, CheckpointError> {
    match v {
        PyValue::Tuple(xs) => xs.iter().map(|x| as_usize(x, pos, what)).collect(),
        other => Err(perr(
            pos,
            format!("{what}: expected a tuple, got {other:?}"),
        )),
    }
}

/// `REDUCE`: call `callable(*args)` for the few callables torch pickles use.
fn reduce(callable: PyValue, args: PyValue, pos: usize) -> Result<PyValue, CheckpointError> {
    let args = match args {
        PyValue::Tuple(a) => a,
        other => {
            return Err(perr(
                pos,
                format!("REDUCE arguments are not a tuple: {other:?}"),
            ));
        }
    };
    let (module, name) = match &callable {
        PyValue::Global(m, n) => (m.as_str(), n.as_str()),
        other => return Err(perr(pos, format!("REDUCE on a non-class value {other:?}"))),
    };
    match (module, name) {
        ("torch._utils", "_rebuild_tensor_v2") | ("torch._utils", "_rebuild_tensor") => {
            if args.len() < 4 {
                return Err(perr(
                    pos,
                    "_rebuild_tensor_v2 needs (storage, offset, size, stride)",
                ));
            }
            let pid = match &args[0] {
                PyValue::Persistent(p) => p.as_ref(),
                other => {
                    return Err(perr(
                        pos,
                        format!("tensor storage is not a persistent id: {other:?}"),
                    ));
                }
            };
            let (storage, key) = match pid {
                PyValue::Tuple(t) if t.len() >= 3 => {
                    let storage = match &t[1] {
                        PyValue::Global(_, n) => n.clone(),
                        PyValue::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    let key = match &t[2] {
                        PyValue::Str(s) => s.clone(),
                        other => {
                            return Err(perr(
                                pos,
                                format!("storage key is not a string: {other:?}"),
                            ));
                        }
                    };
                    (storage, key)
                }
                other => {
                    return Err(perr(
                        pos,
                        format!("unexpected storage descriptor {other:?}"),
                    ));
                }
            };
            Ok(PyValue::Tensor(TensorRef {
                storage,
                key,
                offset: as_usize(&args[1], pos, "storage offset")?,
                shape: int_tuple(&args[2], pos, "tensor size")?,
                stride: int_tuple(&args[3], pos, "tensor stride")?,
            }))
        }
        ("torch._utils", "_rebuild_parameter") => args
            .into_iter()
            .next()
            .ok_or_else(|| perr(pos, "_rebuild_parameter without arguments")),
        ("collections", "OrderedDict") => Ok(PyValue::Dict(Vec::new())),
        _ => Ok(PyValue::Object {
            class: (module.to_string(), name.to_string()),
            args,
            items: Vec::new(),
            state: None,
        }),
    }
}

/// Runs the pickle program `data` and returns the value left by `STOP`.
pub fn unpickle(data: &[u8]) -> Result<PyValue, CheckpointError> {
    let mut stack: Vec<PyValue> = Vec::new();
    let mut marks: Vec<usize> = Vec::new();
    let mut memo: HashMap<u32, PyValue> = HashMap::new();
    let mut p = 0usize;
    let take = |p: &mut usize, n: usize| -> Result<&[u8], CheckpointError> {
        let s = data.get(*p..*p + n).ok_or_else(|| trunc("pickle stream"))?;
        *p += n;
        Ok(s)
    };
    macro_rules! pop {
        ($pos:expr) => {
            stack.pop().ok_or_else(|| perr($pos, "stack underflow"))?
        };
    }
    macro_rules! pop_mark {
        ($pos:expr) => {{
            let m = marks.pop().ok_or_else(|| perr($pos, "missing MARK"))?;
            if m > stack.len() {
                return Err(perr($pos, "MARK beyond stack"));
            }
            stack.split_off(m)
        }};
    }
    loop {
        let pos = p;
        let op = *take(&mut p, 1)?.first().unwrap();
        match op {
            0x80 => {
                take(&mut p, 1)?; // PROTO
            }
            0x95 => {
                take(&mut p, 8)?; // FRAME
            }
            b'.' => return stack.pop().ok_or_else(|| perr(pos, "STOP on empty stack")),
            b'(' => marks.push(stack.len()),
            b'N' => stack.push(PyValue::None),
            0x88 => stack.push(PyValue::Bool(true)),
            0x89 => stack.push(PyValue::Bool(false)),
            b'K' => stack.push(PyValue::Int(take(&mut p, 1)?[0] as i64)),
            b'M' => {
                let s = take(&mut p, 2)?;
                stack.push(PyValue::Int(u16::from_le_bytes([s[0], s[1]]) as i64))
            }
            b'J' => {
                let s = take(&mut p, 4)?;
                stack.push(PyValue::Int(
                    i32::from_le_bytes([s[0], s[1], s[2], s[3]]) as i64
                ))
            }
            0x8a => {
                let n = take(&mut p, 1)?[0] as usize;
                let s = take(&mut p, n)?;
                if n > 8 {
                    return Err(perr(pos, "LONG1 wider than 64 bits"));
                }
                let mut buf = if s.last().is_some_and(|&b| b & 0x80 != 0) {
                    [0xffu8; 8]
                } else {
                    [0u8; 8]
                };
                buf[..n].copy_from_slice(s);
                stack.push(PyValue::Int(i64::from_le_bytes(buf)))
            }
            b'G' => {
                let s = take(&mut p, 8)?;
                stack.push(PyValue::Float(f64::from_be_bytes(s.try_into().unwrap())))
            }
            b'X' | 0x8c | b'T' | b'U' | b'B' | b'C' => {
                let n = match op {
                    b'X' | b'T' | b'B' => {
                        let s = take(&mut p, 4)?;
                        u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize
                    }
                    _ => take(&mut p, 1)?[0] as usize,
                };
                let s = take(&mut p, n)?;
                if op == b'B' || op == b'C' {
                    stack.push(PyValue::Bytes(s.to_vec()))
                } else {
                    let s =
                        std::str::from_utf8(s).map_err(|_| perr(pos, "invalid UTF-8 string"))?;
                    stack.push(PyValue::Str(s.to_string()))
                }
            }
            b'c' => {
                let mut line = || -> Result<String, CheckpointError> {
                    let rest = data.get(p..).unwrap_or(&[]);
                    let nl = rest
                        .iter()
                        .position(|&b| b == b'\n')
                        .ok_or_else(|| trunc("pickle GLOBAL"))?;
                    let s = String::from_utf8_lossy(&rest[..nl]).into_owned();
                    p += nl + 1;
                    Ok(s)
                };
                let module = line()?;
                let name = line()?;
                stack.push(PyValue::Global(module, name))
            }
            0x93 => {
                let name = pop!(pos);
                let module = pop!(pos);
                match (module, name) {
                    (PyValue::Str(m), PyValue::Str(n)) => stack.push(PyValue::Global(m, n)),
                    _ => return Err(perr(pos, "STACK_GLOBAL needs two strings")),
                }
            }
            b')' => stack.push(PyValue::Tuple(Vec::new())),
            b']' => stack.push(PyValue::List(Vec::new())),
            b'}' => stack.push(PyValue::Dict(Vec::new())),
            b't' => {
                let items = pop_mark!(pos);
                stack.push(PyValue::Tuple(items))
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                if stack.len() < n {
                    return Err(perr(pos, "stack underflow in TUPLEn"));
                }
                let items = stack.split_off(stack.len() - n);
                stack.push(PyValue::Tuple(items))
            }
            b'q' | b'r' | 0x94 => {
                let idx = match op {
                    b'q' => take(&mut p, 1)?[0] as u32,
                    b'r' => {
                        let s = take(&mut p, 4)?;
                        u32::from_le_bytes([s[0], s[1], s[2], s[3]])
                    }
                    _ => memo.len() as u32,
                };
                let top = stack
                    .last()
                    .ok_or_else(|| perr(pos, "PUT on empty stack"))?
                    .clone();
                memo.insert(idx, top);
            }
            b'h' | b'j' => {
                let idx = if op == b'h' {
                    take(&mut p, 1)?[0] as u32
                } else {
                    let s = take(&mut p, 4)?;
                    u32::from_le_bytes([s[0], s[1], s[2], s[3]])
                };
                let v = memo
                    .get(&idx)
                    .ok_or_else(|| perr(pos, format!("memo key {idx} missing")))?;
                stack.push(v.clone())
            }
            b'a' | b'e' => {
                let new = if op == b'a' {
                    vec![pop!(pos)]
                } else {
                    pop_mark!(pos)
                };
                match stack.last_mut() {
                    Some(PyValue::List(l)) => l.extend(new),
                    _ => return Err(perr(pos, "APPEND(S) target is not a list")),
                }
            }
            b's' | b'u' => {
                let flat = if op == b's' {
                    let v = pop!(pos);
                    let k = pop!(pos);
                    vec![k, v]
                } else {
                    pop_mark!(pos)
                };
                if flat.len() % 2 != 0 {
                    return Err(perr(pos, "odd number of items in SETITEMS"));
                }
                let target = match stack.last_mut() {
                    Some(PyValue::Dict(items)) | Some(PyValue::Object { items, .. }) => items,
                    _ => return Err(perr(pos, "SETITEM(S) target is not a dict")),
                };
                let mut it = flat.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    if let Some(slot) = target.iter_mut().find(|(kk, _)| *kk == k) {
                        slot.1 = v;
                    } else {
                        target.push((k, v));
                    }
                }
            }
            b'Q' => {
                let pid = pop!(pos);
                stack.push(PyValue::Persistent(Box::new(pid)))
            }
            b'R' => {
                let args = pop!(pos);
                let callable = pop!(pos);
                stack.push(reduce(callable, args, pos)?)
            }
            0x81 => {
                let args = pop!(pos);
                let cls = pop!(pos);
                stack.push(reduce(cls, args, pos)?)
            }
            b'b' => {
                let state = pop!(pos);
                match stack.last_mut() {
                    Some(PyValue::Object { state: s, .. }) => *s = Some(Box::new(state)),
                    Some(PyValue::Dict(_)) => {}
                    Some(PyValue::Tensor(_)) => {}
                    _ => return Err(perr(pos, "BUILD on an unsupported value")),
                }
            }
            other => {
                return Err(perr(
                    pos,
                    format!("unsupported pickle opcode 0x{other:02x}"),
                ));
            }
        }
    }
}
