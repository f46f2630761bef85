package dangan.mail;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the ledger and the log name a mail without a subject or a Message-ID: in the reader's language (issue 12). */
@Tag("fast")
class LetterNameTest {

    @Test
    void aMailWithoutSubjectOrMessageIdIsNamedInChineseByDefault() throws Exception {
        Letter letter = Letter.of(new MimeMessage((jakarta.mail.Session) null), "dangan@example.cn");

        assertThat(letter.name(Messages.of(Language.ZH))).isEqualTo("（无主题） <无 Message-ID>");
        assertThat(letter.name(Messages.of(Language.EN))).isEqualTo("(no subject) <no Message-ID>");
    }

    @Test
    void aMailIsNamedByItsSubjectAndMessageId() throws Exception {
        MimeMessage mail = new MimeMessage((jakarta.mail.Session) null);
        mail.setSubject("客史", "UTF-8");
        mail.setHeader("Message-ID", "<a1@example.cn>");

        assertThat(Letter.of(mail, "dangan@example.cn").name(Messages.of(Language.ZH))).isEqualTo("客史 <a1@example.cn>");
    }
}
