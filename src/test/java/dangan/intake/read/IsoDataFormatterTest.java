package dangan.intake.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class IsoDataFormatterTest {

    private final IsoDataFormatter formatter = new IsoDataFormatter(false);

    @Test
    void plainNumbers() {
        assertThat(IsoDataFormatter.plain(13800138000d)).isEqualTo("13800138000");
        assertThat(IsoDataFormatter.plain(3.0)).isEqualTo("3");
        assertThat(IsoDataFormatter.plain(-12.50)).isEqualTo("-12.5");
        assertThat(IsoDataFormatter.plain(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(IsoDataFormatter.plain(-0.0)).isEqualTo("0");
        assertThat(IsoDataFormatter.plain(1e20)).isEqualTo("100000000000000000000");
    }

    @Test
    void generalAndScientificFormatsGivePlainNumbers() {
        assertThat(formatter.formatRawCellContents(13800138000d, 0, "General")).isEqualTo("13800138000");
        assertThat(formatter.formatRawCellContents(13800138000d, 11, "0.00E+00")).isEqualTo("13800138000");
        assertThat(formatter.formatRawCellContents(1234.5, 4, "#,##0.00")).isEqualTo("1234.5");
    }

    @Test
    void datesBecomeIso() {
        double may12 = 32_275; // 1988-05-12
        assertThat(formatter.formatRawCellContents(may12, 14, "m/d/yy")).isEqualTo("1988-05-12");
        assertThat(formatter.formatRawCellContents(may12 + 0.75, 22, "m/d/yy h:mm")).isEqualTo("1988-05-12 18:00");
        assertThat(formatter.formatRawCellContents(0.5, 20, "h:mm")).isEqualTo("12:00");
        assertThat(new IsoDataFormatter(true).formatRawCellContents(may12 - 1462, 14, "m/d/yy")).isEqualTo("1988-05-12");
    }

    @Test
    void zeroPaddedFormatsKeepLeadingZeros() {
        assertThat(formatter.formatRawCellContents(12345, 164, "000000")).isEqualTo("012345");
    }
}
