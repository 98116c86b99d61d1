#include <QTest>
class Tst_timeline : public QObject { Q_OBJECT private slots: void placeholder() {} };
QTEST_GUILESS_MAIN(Tst_timeline)
#include "tst_timeline.moc"
