//! (stub, being written on branch formats)
use super::{Event, LineCtx, LineOutcome, LineParser};
#[derive(Default)]
pub struct WebParser {
    _todo: (),
}
impl LineParser for WebParser {
    fn parse_line<'a>(
        &mut self,
        _line: &'a [u8],
        _ctx: LineCtx,
        _emit: &mut dyn FnMut(Event<'a>),
    ) -> LineOutcome {
        LineOutcome { unparsed: true }
    }
}
pub fn looks_like(line: &[u8]) -> bool {
    let _ = line;
    false
}
