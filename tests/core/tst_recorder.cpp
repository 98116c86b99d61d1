#include <QTest>
class Tst_recorder : public QObject { Q_OBJECT private slots: void placeholder() {} };
QTEST_GUILESS_MAIN(Tst_recorder)
#include "tst_recorder.moc"
