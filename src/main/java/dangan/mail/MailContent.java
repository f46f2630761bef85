package dangan.mail;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;

import dangan.i18n.Localized;

import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a received mail Dangan reads: the first plain-text body (or, failing that, the HTML
 * body as text) and the attachments. Nothing is decoded with a guessed character set: a body in a
 * character set Java does not know is a {@link #problems() problem}, reported to the sender.
 */
final class MailContent {

    /** The longest body read, in bytes: a customer's details fit in far less. */
    private static final int MAX_BODY_BYTES = 256 * 1024;
    private static final int MAX_DEPTH = 10;

    private String body;
    private String htmlBody;
    private final List<Attachment> attachments = new ArrayList<>();
    private final List<Localized> problems = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    record Attachment(Part part, AttachmentName name, String contentType) {
    }

    static MailContent of(Part mail) throws MessagingException, IOException {
        MailContent content = new MailContent();
        content.walk(mail, 0);
        return content;
    }

    private void walk(Part part, int depth) throws MessagingException, IOException {
        if (depth > MAX_DEPTH) {
            problems.add(Localized.of("mail.problem.nested", "depth", MAX_DEPTH));
            return;
        }
        String disposition = safeDisposition(part);
        String fileName = fileName(part);
        if (part.isMimeType("multipart/*") && fileName == null) {
            Object content = part.getContent();
            if (!(content instanceof Multipart multipart)) {
                problems.add(Localized.of("mail.problem.multipart"));
                return;
            }
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                walk(child, depth + 1);
            }
            return;
        }
        if (fileName != null || Part.ATTACHMENT.equalsIgnoreCase(disposition)) {
            attachments.add(new Attachment(part, AttachmentName.of(fileName, attachments.size() + 1), baseType(part)));
            return;
        }
        if (part.isMimeType("text/plain") && body == null) {
            body = text(part, "plain");
        } else if (part.isMimeType("text/html") && htmlBody == null) {
            htmlBody = text(part, "html");
        } else {
            skipped.add(baseType(part));
        }
    }

    /** The body text; for an HTML-only mail, its text with the markup removed. */
    String body() {
        if (body != null) return body;
        if (htmlBody == null) return null;
        return htmlBody.replaceAll("(?i)<br\\s*/?>|</p>|</div>|</tr>|</li>", "\n").replaceAll("<[^>]*>", "")
                .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    List<Attachment> attachments() {
        return attachments;
    }

    /** What made part of the mail unreadable, in words for the sender (said in the reply's language). */
    List<Localized> problems() {
        return problems;
    }

    /** The text of a body part; {@code what} is {@code plain} or {@code html}, as the messages select on it. */
    private String text(Part part, String what) throws MessagingException, IOException {
        String charsetName = charset(part);
        Charset charset;
        if (charsetName == null) {
            charset = null;
        } else {
            try {
                charset = Charset.forName(MimeUtility.javaCharset(charsetName));
            } catch (IllegalCharsetNameException | java.nio.charset.UnsupportedCharsetException e) {
                problems.add(Localized.of("mail.problem.charset", "what", what, "charset", SafeText.oneLine(charsetName, 40)));
                return null;
            }
        }
        byte[] bytes;
        try (InputStream in = part.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            problems.add(Localized.of("mail.problem.too-long", "what", what, "kib", MAX_BODY_BYTES / 1024));
            return null;
        }
        if (charset != null) {
            try {
                return strict(charset, bytes);
            } catch (CharacterCodingException e) {
                problems.add(Localized.of("mail.problem.invalid-text", "what", what, "charset", charset.name()));
                return null;
            }
        }
        try {
            return strict(StandardCharsets.UTF_8, bytes);
        } catch (CharacterCodingException e) {
            return new String(bytes, Charset.forName("GB18030"));
        }
    }

    private static String strict(Charset charset, byte[] bytes) throws CharacterCodingException {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static String charset(Part part) throws MessagingException {
        try {
            String value = new ContentType(part.getContentType()).getParameter("charset");
            return value == null || value.isBlank() ? null : value.strip();
        } catch (ParseException e) {
            return null;
        }
    }

    private static String baseType(Part part) {
        try {
            return new ContentType(part.getContentType()).getBaseType().toLowerCase();
        } catch (MessagingException | RuntimeException e) {
            return "unknown type";
        }
    }

    private static String safeDisposition(Part part) {
        try {
            return part.getDisposition();
        } catch (MessagingException e) {
            return null;
        }
    }

    /** The attachment's file name, decoded (RFC 2047/2231); a name in an unknown character set stays encoded. */
    private static String fileName(Part part) {
        String name;
        try {
            name = part.getFileName();
        } catch (MessagingException e) {
            return "attachment";
        }
        if (name == null) return null;
        if (name.contains("=?")) {
            try {
                name = MimeUtility.decodeText(name);
            } catch (UnsupportedEncodingException e) {
                // keep the encoded form: it is sanitised like any other name
            }
        }
        return name;
    }
}
