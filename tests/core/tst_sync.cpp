#include <QTest>
class Tst_sync : public QObject { Q_OBJECT private slots: void placeholder() {} };
QTEST_GUILESS_MAIN(Tst_sync)
#include "tst_sync.moc"
