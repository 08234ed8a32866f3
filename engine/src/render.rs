//! The whole report as markdown: findings with their evidence, missing evidence with
//! the commands to run, the segments read, the decision walk, and each finding's
//! runbook tailored with the user's names.

use crate::report::{Finding, Report};

/// Text pasted by the user goes into fenced blocks; a fence inside it must not end them.
fn fence_safe(s: &str) -> String {
    s.replace("```", "'''")
}

/// Render a report as markdown. `runbook` renders one finding's runbook (tailored).
pub fn markdown(report: &Report, runbook: &dyn Fn(&Finding) -> Option<String>) -> String {
    let mut s = String::from("# netdoc report\n\n");
    let read = report
        .segments
        .iter()
        .filter(|x| x.status == "parsed" || x.status == "partial")
        .count();
    s.push_str(&format!(
        "{} finding(s), most likely root cause first · {} of {} pasted output(s) read · {} missing piece(s) of evidence\n",
        report.findings.len(),
        read,
        report.segments.len(),
        report.missing.len()
    ));
    if report.findings.is_empty() {
        s.push_str("\nNothing in the paste proves a fault. ");
        if !report.missing.is_empty() {
            s.push_str("The commands under *Missing evidence* would decide the open questions.");
        }
        s.push('\n');
    }
    for (i, f) in report.findings.iter().enumerate() {
        s.push_str(&format!("\n## {}. `{}` — {}\n\n", i + 1, f.id, f.title));
        s.push_str(&format!("**{}** · layer `{}`", f.severity, f.layer));
        if !f.explains.is_empty() {
            let ex: Vec<String> = f.explains.iter().map(|e| format!("`{e}`")).collect();
            s.push_str(&format!(" · explains {}", ex.join(", ")));
        }
        s.push_str(&format!("\n\n{}\n\n", f.summary));
        let lines: Vec<_> = f.evidence.iter().filter(|e| e.line > 0).collect();
        if !lines.is_empty() {
            s.push_str("```text\n");
            let width = lines
                .iter()
                .map(|e| e.line.to_string().len())
                .max()
                .unwrap_or(1);
            for e in &lines {
                s.push_str(&format!("{:>width$} │ {}\n", e.line, fence_safe(&e.text)));
            }
            s.push_str("```\n");
        }
        for e in f.evidence.iter().filter(|e| e.line == 0) {
            s.push_str(&format!("\n- {}\n", e.text));
        }
    }
    if !report.missing.is_empty() {
        s.push_str(
            "\n## Missing evidence\n\nPaste the output of these to decide what the paste cannot:\n",
        );
        for m in &report.missing {
            s.push_str(&format!(
                "\n- {}\n\n  ```sh\n  {}\n  ```\n",
                m.question,
                fence_safe(&m.command)
            ));
        }
    }
    if !report.evidence.is_empty() {
        s.push_str(
            "\n## Evidence bundle\n\n| slice | in the paste | to collect |\n|---|---|---|\n",
        );
        for sl in &report.evidence {
            let have = if sl.present {
                format!("✓ {}", sl.kinds.join(", "))
            } else {
                "—".to_string()
            };
            let cmds: Vec<String> = sl
                .commands
                .iter()
                .map(|c| format!("`{}`", c.replace('|', "\\|").replace('`', "'")))
                .collect();
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                sl.title,
                have,
                cmds.join("<br>")
            ));
        }
        if report.evidence.iter().any(|sl| !sl.present) {
            s.push_str(&format!(
                "\n`{}` prints a script that gathers every slice in one go; `netdoc diagnose` reads its output.\n",
                report.collect
            ));
        }
    }
    s.push_str(
        "\n## What was read\n\n| # | kind | lines | status | command |\n|---|---|---|---|---|\n",
    );
    for seg in &report.segments {
        let cmd = seg
            .command
            .as_deref()
            .map(|c| format!("`{}`", c.replace('|', "\\|").replace('`', "'")))
            .unwrap_or_default();
        s.push_str(&format!(
            "| {} | {} | {}–{} | {} | {} |\n",
            seg.index,
            seg.kind.as_deref().unwrap_or("unrecognized"),
            seg.lines[0],
            seg.lines[1],
            seg.status,
            cmd
        ));
    }
    let problems: Vec<_> = report
        .segments
        .iter()
        .flat_map(|x| x.problems.iter())
        .collect();
    if !problems.is_empty() {
        s.push_str("\nLines that could not be read:\n\n");
        for p in problems.iter().take(20) {
            s.push_str(&format!("- line {}: {}\n", p.line, p.message));
        }
    }
    if !report.trace.is_empty() {
        s.push_str("\n## Decision walk\n\n");
        // The same question with the same answer for many subjects (558 socket pile-ups
        // of a 170 MB `ss`, each "no route? no") is shown for the first few; the JSON
        // report keeps every step.
        const FOLD_ABOVE: usize = 10;
        const SHOW: usize = 3;
        let key = |t: &crate::report::TraceStep| {
            let stem = t.question.split(" — ").next().unwrap_or("").to_string();
            (t.tree.clone(), stem, t.answer.clone())
        };
        let mut counts: std::collections::HashMap<(String, String, String), usize> =
            std::collections::HashMap::new();
        for t in &report.trace {
            *counts.entry(key(t)).or_default() += 1;
        }
        let mut shown: std::collections::HashMap<(String, String, String), usize> =
            std::collections::HashMap::new();
        for t in &report.trace {
            let k = key(t);
            let total = counts.get(&k).copied().unwrap_or(0);
            let n = shown.entry(k).or_default();
            *n += 1;
            if total > FOLD_ABOVE && *n > SHOW {
                continue;
            }
            let lines: Vec<String> = t.evidence.iter().map(|e| e.line.to_string()).collect();
            let at = if lines.is_empty() {
                String::new()
            } else {
                format!(" (line {})", lines.join(", "))
            };
            let mark = match t.answer.as_str() {
                "yes" => "✓",
                "no" => "✗",
                _ => "?",
            };
            s.push_str(&format!(
                "- {mark} [{}] {} → **{}**{at}\n",
                t.tree, t.question, t.answer
            ));
            if total > FOLD_ABOVE && *n == SHOW {
                s.push_str(&format!(
                    "- … **{}** the same for {} more (the JSON report lists each)\n",
                    t.answer,
                    total - SHOW
                ));
            }
        }
    }
    let books: Vec<String> = report.findings.iter().filter_map(runbook).collect();
    if !books.is_empty() {
        s.push_str("\n---\n\n# Runbooks\n");
        for b in books {
            s.push('\n');
            s.push_str(&demote_headings(&b));
        }
    }
    s
}

/// Push a runbook's headings one level down so they nest under "Runbooks".
fn demote_headings(md: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in md.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Report, TraceStep};

    fn step(question: &str, answer: &str) -> TraceStep {
        TraceStep {
            tree: "node-routing".into(),
            predicate: "route_missing".into(),
            question: question.into(),
            answer: answer.into(),
            evidence: Vec::new(),
        }
    }

    /// Many subjects asked the same question with the same answer: the first three, then
    /// one line with how many more; a question asked of few subjects is shown whole.
    #[test]
    fn the_decision_walk_folds_a_question_repeated_for_many_subjects() {
        let mut report = Report::default();
        for i in 0..20 {
            report.trace.push(step(
                &format!("Does the node have no route? — signal {i}"),
                "no",
            ));
        }
        for i in 0..4 {
            report.trace.push(step(
                &format!("Does the node have no route? — signal x{i}"),
                "yes",
            ));
        }
        let md = markdown(&report, &|_| None);
        for i in 0..3 {
            assert!(md.contains(&format!("— signal {i} → **no**")), "{md}");
        }
        assert!(!md.contains("— signal 3 → "), "{md}");
        assert!(md.contains("- … **no** the same for 17 more"), "{md}");
        for i in 0..4 {
            assert!(md.contains(&format!("— signal x{i} → **yes**")), "{md}");
        }
    }
}
