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

    /** A handler that throws {@code boom} at the first row: a reader must let it through unchanged. */
    static RowHandler throwingAtRow(RuntimeException boom) {
        return throwing(boom, false);
    }

    /** A handler that throws {@code boom} at the header. */
    static RowHandler throwingAtHeader(RuntimeException boom) {
        return throwing(boom, true);
    }

    private static RowHandler throwing(RuntimeException boom, boolean atHeader) {
        return new RowHandler() {
            @Override
            public void header(List<String> columns) {
                if (atHeader) throw boom;
            }

            @Override
            public void row(int lineNo, List<String> cells) {
                throw boom;
            }
        };
    }
}
