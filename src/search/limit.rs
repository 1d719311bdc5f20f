//! `-m N`: a file's lines up to its N-th matching line and that line's trailing context
//! (`-A`), as GNU grep prints them (lines after the N-th match are context even if they
//! match).

use super::Line;

#[derive(Debug, Clone)]
pub struct Limit {
    max: Option<u64>,
    after: u64,
    matches: u64,
    /// Line number of the N-th match, once reached.
    last: Option<u64>,
    done: bool,
}

impl Limit {
    pub fn new(max: Option<u64>, after: usize) -> Limit {
        Limit {
            max,
            after: after as u64,
            matches: 0,
            last: None,
            done: max == Some(0),
        }
    }

    /// The line to report (a match past the limit turned into context), or None.
    pub fn admit(&mut self, line: &Line) -> Option<Line> {
        if self.done {
            return None;
        }
        if let Some(last) = self.last {
            if line.number > last + self.after {
                self.done = true;
                return None;
            }
            if line.number == last + self.after {
                self.done = true;
            }
            return Some(Line {
                is_match: false,
                ..line.clone()
            });
        }
        if line.is_match {
            self.matches += 1;
            if Some(self.matches) == self.max {
                self.last = Some(line.number);
                self.done = self.after == 0;
            }
        }
        Some(line.clone())
    }

    /// Nothing more will be admitted.
    pub fn done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(number: u64, is_match: bool) -> Line {
        Line {
            number,
            is_match,
            text: String::new(),
        }
    }

    #[test]
    fn stops_after_the_nth_match_and_its_trailing_context() {
        let mut lim = Limit::new(Some(1), 2);
        let got: Vec<_> = [l(1, false), l(2, true), l(3, true), l(4, false), l(5, true)]
            .iter()
            .filter_map(|x| lim.admit(x))
            .map(|x| (x.number, x.is_match))
            .collect();
        assert_eq!(got, vec![(1, false), (2, true), (3, false), (4, false)]);
        assert!(lim.done());
        let mut none = Limit::new(None, 0);
        assert!(none.admit(&l(9, true)).is_some());
        assert!(!none.done());
        assert!(Limit::new(Some(0), 0).done());
    }
}
