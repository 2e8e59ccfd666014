//! A document made of headings, paragraphs, tables and numbered steps, written as Markdown or HTML.

use std::fmt::Write;

/// A document made of blocks, written as Markdown or as HTML.
pub(super) enum Block {
    Heading(String),
    Para(String),
    Table(Vec<&'static str>, Vec<Vec<String>>),
    Steps(Vec<String>),
}

pub(super) struct Doc {
    pub(super) title: String,
    pub(super) blocks: Vec<Block>,
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Doc {
    pub(super) fn markdown(&self) -> String {
        let mut t = format!("# {}\n\n", self.title);
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    let _ = write!(t, "## {h}\n\n");
                }
                Block::Para(p) => {
                    let _ = writeln!(t, "{p}\n");
                }
                Block::Table(head, rows) => {
                    let _ = writeln!(t, "| {} |", head.join(" | "));
                    let _ = writeln!(t, "|{}", "---|".repeat(head.len()));
                    for r in rows {
                        let cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                        let _ = writeln!(t, "| {} |", cells.join(" | "));
                    }
                    t.push('\n');
                }
                Block::Steps(steps) => {
                    for (n, s) in steps.iter().enumerate() {
                        let _ = writeln!(t, "{}. {s}", n + 1);
                    }
                    t.push('\n');
                }
            }
        }
        t
    }

    pub(super) fn html(&self) -> String {
        let mut t = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}</style></head><body>\n<h1>{}</h1>\n",
            html(&self.title),
            html(&self.title)
        );
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    let _ = writeln!(t, "<h2>{}</h2>", html(h));
                }
                Block::Para(p) => {
                    let _ = writeln!(t, "<p>{}</p>", html(p));
                }
                Block::Table(head, rows) => {
                    t.push_str("<table><tr>");
                    for h in head {
                        let _ = write!(t, "<th>{}</th>", html(h));
                    }
                    t.push_str("</tr>\n");
                    for r in rows {
                        t.push_str("<tr>");
                        for c in r {
                            let _ = write!(t, "<td>{}</td>", html(c));
                        }
                        t.push_str("</tr>\n");
                    }
                    t.push_str("</table>\n");
                }
                Block::Steps(steps) => {
                    t.push_str("<ol>\n");
                    for s in steps {
                        let _ = writeln!(t, "<li>{}</li>", html(s));
                    }
                    t.push_str("</ol>\n");
                }
            }
        }
        t.push_str("</body></html>\n");
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes() {
        let d = Doc {
            title: "<x>".into(),
            blocks: vec![Block::Para("a & b".into())],
        };
        let h = d.html();
        assert!(h.contains("<h1>&lt;x&gt;</h1>") && h.contains("<p>a &amp; b</p>"));
    }
}
