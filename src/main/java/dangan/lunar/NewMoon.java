package dangan.lunar;

import java.time.LocalDate;

/**
 * The day (China time) of the new moon nearest a day, by the periodic terms of J. Meeus,
 * <i>Astronomical Algorithms</i> (2nd ed., chapter 49; within a minute for 1900–2100).
 *
 * <p>Why not only ICU: its Chinese calendar places the new moon by a Keplerian approximation that is
 * some minutes late, so a new moon just before midnight China time starts its month a day late in
 * ICU (春节 2027 would be 2027-02-07, not 2027-02-06: new moon 2027-02-06 23:56 CST; ICU-23274, an
 * open ICU ticket). {@link ChineseDates} keeps ICU's months and leap months and moves a month's first
 * day to the day this computes when they differ.
 */
final class NewMoon {

    private static final double SYNODIC = 29.530588861;
    private static final double JDE_K0 = 2451550.09766; // the new moon of 2000-01-06
    private static final double UNIX_EPOCH_JD = 2440587.5;
    private static final double CHINA_OFFSET_DAYS = 8 / 24.0;

    private NewMoon() {
    }

    /** The day, China time (UTC+8), of the new moon nearest {@code near}. */
    static LocalDate dayNear(LocalDate near) {
        double jd = near.toEpochDay() + UNIX_EPOCH_JD;
        long k = Math.round((jd - JDE_K0) / SYNODIC);
        double ut = jde(k) - deltaT(near.getYear()) / 86_400.0;
        return LocalDate.ofEpochDay((long) Math.floor(ut - UNIX_EPOCH_JD + CHINA_OFFSET_DAYS));
    }

    /** ΔT = TT − UT in seconds (the polynomials of Espenak and Meeus, 1900–2150). */
    static double deltaT(int year) {
        double y = year + 0.5;
        if (y < 1920) {
            double t = y - 1900;
            return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * t * t * t - 0.000197 * t * t * t * t;
        }
        if (y < 1941) {
            double t = y - 1920;
            return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * t * t * t;
        }
        if (y < 1961) {
            double t = y - 1950;
            return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547;
        }
        if (y < 1986) {
            double t = y - 1975;
            return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718;
        }
        if (y < 2005) {
            double t = y - 2000;
            return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t + 0.000651814 * t * t * t * t
                    + 0.00002373599 * t * t * t * t * t;
        }
        if (y < 2050) {
            double t = y - 2000;
            return 62.92 + 0.32217 * t + 0.005589 * t * t;
        }
        double u = (y - 1820) / 100;
        return -20 + 32 * u * u - 0.5628 * (2150 - y);
    }

    /** The Julian Ephemeris Day of new moon number {@code k} (k = 0: 2000-01-06). */
    static double jde(long k) {
        double t = k / 1236.85;
        double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
        double jde = JDE_K0 + SYNODIC * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
        double e = 1 - 0.002516 * t - 0.0000074 * t2;
        double m = rad(2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3);
        double mm = rad(201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4);
        double f = rad(160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4);
        double omega = rad(124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3);
        double c = -0.40720 * sin(mm)
                + 0.17241 * e * sin(m)
                + 0.01608 * sin(2 * mm)
                + 0.01039 * sin(2 * f)
                + 0.00739 * e * sin(mm - m)
                - 0.00514 * e * sin(mm + m)
                + 0.00208 * e * e * sin(2 * m)
                - 0.00111 * sin(mm - 2 * f)
                - 0.00057 * sin(mm + 2 * f)
                + 0.00056 * e * sin(2 * mm + m)
                - 0.00042 * sin(3 * mm)
                + 0.00042 * e * sin(m + 2 * f)
                + 0.00038 * e * sin(m - 2 * f)
                - 0.00024 * e * sin(2 * mm - m)
                - 0.00017 * sin(omega)
                - 0.00007 * sin(mm + 2 * m)
                + 0.00004 * sin(2 * mm - 2 * f)
                + 0.00004 * sin(3 * m)
                + 0.00003 * sin(mm + m - 2 * f)
                + 0.00003 * sin(2 * mm + 2 * f)
                - 0.00003 * sin(mm + m + 2 * f)
                + 0.00003 * sin(mm - m + 2 * f)
                - 0.00002 * sin(mm - m - 2 * f)
                - 0.00002 * sin(3 * mm + m)
                + 0.00002 * sin(4 * mm);
        double[][] planetary = {
                {299.77, 0.107408, -0.009173, 0.000325}, {251.88, 0.016321, 0, 0.000165},
                {251.83, 26.651886, 0, 0.000164}, {349.42, 36.412478, 0, 0.000126},
                {84.66, 18.206239, 0, 0.000110}, {141.74, 53.303771, 0, 0.000062},
                {207.14, 2.453732, 0, 0.000060}, {154.84, 7.306860, 0, 0.000056},
                {34.52, 27.261239, 0, 0.000047}, {207.19, 0.121824, 0, 0.000042},
                {291.34, 1.844379, 0, 0.000040}, {161.72, 24.198154, 0, 0.000037},
                {239.56, 25.513099, 0, 0.000035}, {331.55, 3.592518, 0, 0.000023}};
        double a = 0;
        for (double[] p : planetary) a += p[3] * sin(rad(p[0] + p[1] * k + p[2] * t2));
        return jde + c + a;
    }

    private static double rad(double degrees) {
        return Math.toRadians(degrees % 360);
    }

    private static double sin(double radians) {
        return Math.sin(radians);
    }
}
