//! The server side of a line protocol: client lines read one at a time (bounded in length and
//! in time), replies written with CR LF.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The longest command line a client may send, without its CR LF.
const LONGEST: usize = 16 * 1024;

pub struct Lines<S> {
    reader: BufReader<S>,
    /// How long one read or write may take before the client counts as gone.
    idle: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Lines<S> {
    pub fn new(stream: S, idle: Duration) -> Lines<S> {
        Lines {
            reader: BufReader::new(stream),
            idle,
        }
    }

    /// The next line without its line end; none once the client is gone, idle, or sends a
    /// line too long to be a command.
    pub async fn next(&mut self) -> Option<String> {
        let mut line = Vec::new();
        let limit = (LONGEST + 2) as u64;
        let mut bounded = (&mut self.reader).take(limit);
        let read = bounded.read_until(b'\n', &mut line);
        match tokio::time::timeout(self.idle, read).await {
            Ok(Ok(_)) if line.last() == Some(&b'\n') => {}
            _ => return None,
        }
        while let Some(b'\r' | b'\n') = line.last() {
            line.pop();
        }
        Some(String::from_utf8_lossy(&line).into_owned())
    }

    /// Writes `reply` and CR LF; false once the client is gone or stops reading.
    pub async fn send(&mut self, reply: &str) -> bool {
        let stream = self.reader.get_mut();
        let bytes = format!("{reply}\r\n");
        let write = async {
            stream.write_all(bytes.as_bytes()).await?;
            stream.flush().await
        };
        matches!(tokio::time::timeout(self.idle, write).await, Ok(Ok(())))
    }

    /// The connection itself, for writing past the line discipline.
    pub fn stream(&mut self) -> &mut S {
        self.reader.get_mut()
    }

    /// The connection back for a STARTTLS upgrade; none when the client already sent more
    /// (bytes sent before the handshake must not count as if they came encrypted).
    pub fn into_stream(self) -> Option<S> {
        self.reader
            .buffer()
            .is_empty()
            .then(|| self.reader.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_cut_at_their_end_and_bounded() {
        let (mut client, server) = tokio::io::duplex(64 * 1024);
        let mut lines = Lines::new(server, Duration::from_secs(2));
        client.write_all(b"A1 NOOP\r\nPLAIN\n").await.unwrap();
        assert_eq!(lines.next().await.as_deref(), Some("A1 NOOP"));
        assert_eq!(lines.next().await.as_deref(), Some("PLAIN"));
        client.write_all(&vec![b'x'; LONGEST + 10]).await.unwrap();
        assert_eq!(lines.next().await, None);
        drop(client);
        let (client, server) = tokio::io::duplex(64);
        drop(client);
        assert_eq!(
            Lines::new(server, Duration::from_secs(2)).next().await,
            None
        );
    }

    #[tokio::test]
    async fn replies_end_with_crlf_and_early_bytes_block_the_upgrade() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut lines = Lines::new(server, Duration::from_secs(2));
        assert!(lines.send("220 ready").await);
        let mut got = [0u8; 11];
        client.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"220 ready\r\n");
        client.write_all(b"STARTTLS\r\nEHLO x\r\n").await.unwrap();
        assert_eq!(lines.next().await.as_deref(), Some("STARTTLS"));
        assert!(lines.into_stream().is_none());
    }
}
