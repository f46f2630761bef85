package dangan.intake.read;

import java.util.ArrayList;
import java.util.List;

/** Test handler that remembers everything it is given. */
final class RecordingHandler implements RowHandler {

    /** One row as received. */
    record Row(int lineNo, List<String> cells) {
    }

    List<String> header;
    int headerCalls;
    final List<Row> rows = new ArrayList<>();

    @Override
    public void header(List<String> columns) {
        headerCalls++;
        header = columns;
    }

    @Override
    public void row(int lineNo, List<String> cells) {
        rows.add(new Row(lineNo, List.copyOf(cells)));
    }

    List<Integer> lineNumbers() {
        return rows.stream().map(Row::lineNo).toList();
    }

    List<String> row(int index) {
        return rows.get(index).cells();
    }
}
